#include "test_certificates.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace uudai::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateFree {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Certificate = std::unique_ptr<X509, CertificateFree>;

void Require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL failed to ") + what);
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  Require(key != nullptr, "generate a P-256 key");
  return key;
}

void AddExtension(X509* certificate, X509* signer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, signer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  Require(extension != nullptr, "make a certificate extension");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  Require(added == 1, "add a certificate extension");
}

// A certificate for `key` named `common_name`, without extensions, not yet signed. A null
// signer makes it self-signed.
Certificate NewCertificate(EVP_PKEY* key, const std::string& common_name, X509* signer) {
  Certificate certificate(X509_new());
  Require(certificate != nullptr, "allocate a certificate");
  std::uint64_t serial = 0;
  Require(RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) == 1,
          "draw a serial number");
  X509* c = certificate.get();
  Require(X509_set_version(c, 2) == 1 &&
              ASN1_INTEGER_set_uint64(X509_get_serialNumber(c), serial >> 1) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(c), -3600) != nullptr &&
              X509_gmtime_adj(X509_getm_notAfter(c), 24L * 3600) != nullptr &&
              X509_set_pubkey(c, key) == 1,
          "fill a certificate");
  X509_NAME* name = X509_get_subject_name(c);
  Require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0) == 1,
          "name a certificate");
  Require(X509_set_issuer_name(c, signer ? X509_get_subject_name(signer) : name) == 1,
          "set a certificate's signer");
  return certificate;
}

std::string Pem(X509* certificate) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  Require(bio && PEM_write_bio_X509(bio.get(), certificate) == 1, "write a certificate");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string Pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  Require(
      bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
      "write a private key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

struct TestCertificateAuthority::Impl {
  Key key;
  Certificate certificate;
  std::string certificate_pem;
};

TestCertificateAuthority::TestCertificateAuthority() : impl_(std::make_unique<Impl>()) {
  impl_->key = NewKey();
  impl_->certificate = NewCertificate(impl_->key.get(), "uudai test CA", nullptr);
  X509* c = impl_->certificate.get();
  AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(c, c, NID_subject_key_identifier, "hash");
  Require(X509_sign(c, impl_->key.get(), EVP_sha256()) > 0, "sign the CA certificate");
  impl_->certificate_pem = Pem(c);
}

TestCertificateAuthority::~TestCertificateAuthority() = default;

const std::string& TestCertificateAuthority::certificate_pem() const {
  return impl_->certificate_pem;
}

TestCertificate TestCertificateAuthority::SignServerCertificate(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses) const {
  const Key key = NewKey();
  const std::string common_name = dns_names.empty() ? "uudai test server" : dns_names.front();
  Certificate certificate = NewCertificate(key.get(), common_name, impl_->certificate.get());
  X509* c = certificate.get();
  X509* signer = impl_->certificate.get();
  std::string alt_names;
  for (const std::string& name : dns_names)
    alt_names += (alt_names.empty() ? "" : ",") + ("DNS:" + name);
  for (const std::string& ip : ip_addresses)
    alt_names += (alt_names.empty() ? "" : ",") + ("IP:" + ip);
  AddExtension(c, signer, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(c, signer, NID_key_usage, "critical,digitalSignature");
  AddExtension(c, signer, NID_ext_key_usage, "serverAuth");
  AddExtension(c, signer, NID_subject_key_identifier, "hash");
  AddExtension(c, signer, NID_authority_key_identifier, "keyid:always");
  if (!alt_names.empty()) AddExtension(c, signer, NID_subject_alt_name, alt_names);
  Require(X509_sign(c, impl_->key.get(), EVP_sha256()) > 0, "sign a server certificate");
  return TestCertificate{Pem(c), Pem(key.get())};
}

TempFile::TempFile(const std::string& contents) {
  std::string pattern = ::testing::TempDir() + "uudai-XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("cannot create a file in " + ::testing::TempDir());
  close(fd);
  path_ = pattern;
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << contents;
}

TempFile::~TempFile() { std::remove(path_.c_str()); }

}  // namespace uudai::testing
