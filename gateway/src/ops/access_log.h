// The access log line, one per answered request. Nothing in it may come from the request
// unescaped: the path is percent-decoded before it reaches the router, so "%0A" in a URL
// would otherwise start a forged log line, and "%1B" would send terminal escapes to whoever
// reads the log. Keys, secrets and bodies are never logged.
#ifndef UUDAI_GATEWAY_OPS_ACCESS_LOG_H_
#define UUDAI_GATEWAY_OPS_ACCESS_LOG_H_

#include <string>
#include <string_view>

namespace uudai::gateway {

// `text` with every control character (bytes 0x00–0x1F and 0x7F) and the backslash written
// as \xNN, so that a line of the log is always exactly one request and the original bytes can
// be recovered. Other bytes, UTF-8 included, are kept: Vietnamese paths stay readable.
std::string EscapeForLog(std::string_view text);

// "<request id> <METHOD> <path> <status> <millis>ms", the path escaped as above.
std::string AccessLogLine(std::string_view request_id, std::string_view method,
                          std::string_view path, int status, double millis);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_OPS_ACCESS_LOG_H_
