// FileSystem: the file-system calls the journal makes, behind one seam, so that tests can make
// any of them fail as a real disk does (a full disk, a failing fsync, a read-only or vanished
// directory) without root, a special mount or a real fault.
//
// The calls keep POSIX's contract: a file is an int descriptor; on failure they return -1
// with errno set, and the journal reads errno as it would after the system call itself.
// DefaultFileSystem() makes the system calls. Implementations must be thread-safe (the
// journal's writer thread and its owner call them concurrently).
#ifndef UUDAI_GATEWAY_STORE_JOURNAL_FILE_SYSTEM_H_
#define UUDAI_GATEWAY_STORE_JOURNAL_FILE_SYSTEM_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace uudai::gateway {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // mkdir -p.
  virtual int CreateDirectories(const std::string& dir) = 0;
  virtual int Open(const std::string& path, int flags, mode_t mode) = 0;  // open(2)
  virtual ssize_t Read(int fd, void* data, std::size_t size) = 0;         // read(2)
  virtual ssize_t WriteAt(int fd, const void* data, std::size_t size,
                          off_t offset) = 0;  // pwrite(2)
  virtual int DataSync(int fd) = 0;           // fdatasync(2)
  // Makes the entries of `dir` durable (open it, fsync(2), close).
  virtual int SyncDirectory(const std::string& dir) = 0;
  virtual int Truncate(int fd, off_t length) = 0;  // ftruncate(2)
  virtual off_t SeekToEnd(int fd) = 0;             // lseek(fd, 0, SEEK_END)
  // flock(fd, LOCK_EX | LOCK_NB): one process per data directory.
  virtual int LockExclusive(int fd) = 0;
  virtual int Rename(const std::string& from, const std::string& to) = 0;  // rename(2)
  virtual int Unlink(const std::string& path) = 0;                         // unlink(2)
  virtual int Close(int fd) = 0;                                           // close(2)
};

// The system calls themselves. Lives as long as the process.
FileSystem& DefaultFileSystem();

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_JOURNAL_FILE_SYSTEM_H_
