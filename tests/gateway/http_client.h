// A small blocking HTTP/1.1 client for tests: one request per call, or raw bytes.
#ifndef UUDAI_TESTS_GATEWAY_HTTP_CLIENT_H_
#define UUDAI_TESTS_GATEWAY_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace uudai::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  boost::json::value Json() const;  // the body parsed (throws when it is not JSON)
  std::string Header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A keep-alive connection to 127.0.0.1:port.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request and reads the response. Throws on I/O errors.
  HttpReply Send(const std::string& method, const std::string& target, const std::string& body,
                 const Headers& headers);
  // Whether the server closed the connection (read returns EOF within `wait`).
  bool ClosedByPeer(std::chrono::milliseconds wait);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Opens a connection, sends `bytes` as they are, and returns everything the server sends
// back until it closes the connection or `wait` passes.
std::string RawExchange(std::uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::milliseconds(2000));

// The status code of the first response in `raw` ("HTTP/1.1 400 Bad Request" → 400), or 0.
int StatusOf(const std::string& raw);

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_HTTP_CLIENT_H_
