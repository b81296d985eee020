#include "store/journal/file_system.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace uudai::gateway {
namespace {

class PosixFileSystem final : public FileSystem {
 public:
  int CreateDirectories(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!ec) return 0;
    errno = ec.value();
    return -1;
  }
  int Open(const std::string& path, int flags, mode_t mode) override {
    return ::open(path.c_str(), flags, mode);
  }
  ssize_t Read(int fd, void* data, std::size_t size) override { return ::read(fd, data, size); }
  ssize_t WriteAt(int fd, const void* data, std::size_t size, off_t offset) override {
    return ::pwrite(fd, data, size, offset);
  }
  int DataSync(int fd) override { return ::fdatasync(fd); }
  int SyncDirectory(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    errno = error;
    return synced;
  }
  int Truncate(int fd, off_t length) override { return ::ftruncate(fd, length); }
  off_t SeekToEnd(int fd) override { return ::lseek(fd, 0, SEEK_END); }
  int LockExclusive(int fd) override { return ::flock(fd, LOCK_EX | LOCK_NB); }
  int Rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str());
  }
  int Unlink(const std::string& path) override { return ::unlink(path.c_str()); }
  int Close(int fd) override { return ::close(fd); }
};

}  // namespace

FileSystem& DefaultFileSystem() {
  static PosixFileSystem files;
  return files;
}

}  // namespace uudai::gateway
