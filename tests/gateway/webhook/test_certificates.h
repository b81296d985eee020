// Test support: a certificate authority made at run time with OpenSSL (no `openssl` command
// needed), server certificates it signs, and PEM files for a client's trust store.
#ifndef UUDAI_TESTS_GATEWAY_WEBHOOK_TEST_CERTIFICATES_H_
#define UUDAI_TESTS_GATEWAY_WEBHOOK_TEST_CERTIFICATES_H_

#include <memory>
#include <string>
#include <vector>

namespace uudai::testing {

// A certificate and its private key, both PEM.
struct TestCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

// A self-signed CA (P-256 keys, SHA-256 signatures, valid from an hour ago for a day). Throws
// std::runtime_error when OpenSSL fails.
class TestCertificateAuthority {
 public:
  TestCertificateAuthority();
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&) = delete;
  TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

  const std::string& certificate_pem() const;

  // A server certificate (serverAuth) whose subjectAltName lists `dns_names` and
  // `ip_addresses`, signed by this CA.
  TestCertificate SignServerCertificate(const std::vector<std::string>& dns_names,
                                        const std::vector<std::string>& ip_addresses) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A file with the given contents under the test's temporary directory, removed by the
// destructor.
class TempFile {
 public:
  explicit TempFile(const std::string& contents);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_WEBHOOK_TEST_CERTIFICATES_H_
