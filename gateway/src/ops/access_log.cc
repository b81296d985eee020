#include "ops/access_log.h"

#include <cstdio>

namespace uudai::gateway {

std::string EscapeForLog(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '\\') {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

std::string AccessLogLine(std::string_view request_id, std::string_view method,
                          std::string_view path, int status, double millis) {
  char tail[48];
  std::snprintf(tail, sizeof tail, " %d %.3fms", status, millis);
  std::string line;
  line.reserve(request_id.size() + method.size() + path.size() + 32);
  // The request id is already restricted to visible ASCII (SanitizedRequestId) and the method
  // to an HTTP token by the parser; escaping them too costs nothing and keeps this self-contained.
  line += EscapeForLog(request_id);
  line += ' ';
  line += EscapeForLog(method);
  line += ' ';
  line += EscapeForLog(path);
  line += tail;
  return line;
}

}  // namespace uudai::gateway
