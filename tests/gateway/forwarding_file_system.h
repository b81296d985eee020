// ForwardingFileSystem: the system's file system, every call passed on; a test's faulty file
// system derives from it and overrides only the calls it changes.
#ifndef UUDAI_TESTS_GATEWAY_FORWARDING_FILE_SYSTEM_H_
#define UUDAI_TESTS_GATEWAY_FORWARDING_FILE_SYSTEM_H_

#include <string>

#include "store/journal/file_system.h"

namespace uudai::testing {

class ForwardingFileSystem : public gateway::FileSystem {
 public:
  int CreateDirectories(const std::string& dir) override { return real_.CreateDirectories(dir); }
  int Open(const std::string& path, int flags, mode_t mode) override {
    return real_.Open(path, flags, mode);
  }
  ssize_t Read(int fd, void* data, std::size_t size) override { return real_.Read(fd, data, size); }
  ssize_t WriteAt(int fd, const void* data, std::size_t size, off_t offset) override {
    return real_.WriteAt(fd, data, size, offset);
  }
  int DataSync(int fd) override { return real_.DataSync(fd); }
  int SyncDirectory(const std::string& dir) override { return real_.SyncDirectory(dir); }
  int Truncate(int fd, off_t length) override { return real_.Truncate(fd, length); }
  off_t SeekToEnd(int fd) override { return real_.SeekToEnd(fd); }
  int LockExclusive(int fd) override { return real_.LockExclusive(fd); }
  int Rename(const std::string& from, const std::string& to) override {
    return real_.Rename(from, to);
  }
  int Unlink(const std::string& path) override { return real_.Unlink(path); }
  int Close(int fd) override { return real_.Close(fd); }

 protected:
  gateway::FileSystem& real_ = gateway::DefaultFileSystem();
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_FORWARDING_FILE_SYSTEM_H_
