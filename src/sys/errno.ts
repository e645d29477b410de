// (leaf: imports nothing; ARCHITECTURE.md)
// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h) and their strerror texts for --strace.

export const EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
  ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
  ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27,
  ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34, ENAMETOOLONG = 36,
  ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOVERFLOW = 75, EOPNOTSUPP = 95, ETIMEDOUT = 110;
export const ENODATA = 61;
export const EDESTADDRREQ = 89, EPROTONOSUPPORT = 93, ESOCKTNOSUPPORT = 94, EAFNOSUPPORT = 97, ENOTCONN = 107;

const NAMES: Record<number, [string, string]> = {
  [EPERM]: ["EPERM", "Operation not permitted"],
  [ENOENT]: ["ENOENT", "No such file or directory"],
  [ESRCH]: ["ESRCH", "No such process"],
  [EINTR]: ["EINTR", "Interrupted system call"],
  [EIO]: ["EIO", "Input/output error"],
  [ENXIO]: ["ENXIO", "No such device or address"],
  [E2BIG]: ["E2BIG", "Argument list too long"],
  [ENOEXEC]: ["ENOEXEC", "Exec format error"],
  [EBADF]: ["EBADF", "Bad file descriptor"],
  [ECHILD]: ["ECHILD", "No child processes"],
  [EAGAIN]: ["EAGAIN", "Resource temporarily unavailable"],
  [ENOMEM]: ["ENOMEM", "Cannot allocate memory"],
  [EACCES]: ["EACCES", "Permission denied"],
  [EFAULT]: ["EFAULT", "Bad address"],
  [EBUSY]: ["EBUSY", "Device or resource busy"],
  [EEXIST]: ["EEXIST", "File exists"],
  [EXDEV]: ["EXDEV", "Invalid cross-device link"],
  [ENODEV]: ["ENODEV", "No such device"],
  [ENOTDIR]: ["ENOTDIR", "Not a directory"],
  [EISDIR]: ["EISDIR", "Is a directory"],
  [EINVAL]: ["EINVAL", "Invalid argument"],
  [ENFILE]: ["ENFILE", "Too many open files in system"],
  [EMFILE]: ["EMFILE", "Too many open files"],
  [ENOTTY]: ["ENOTTY", "Inappropriate ioctl for device"],
  [EFBIG]: ["EFBIG", "File too large"],
  [ENOSPC]: ["ENOSPC", "No space left on device"],
  [ESPIPE]: ["ESPIPE", "Illegal seek"],
  [EROFS]: ["EROFS", "Read-only file system"],
  [EMLINK]: ["EMLINK", "Too many links"],
  [EPIPE]: ["EPIPE", "Broken pipe"],
  [EDOM]: ["EDOM", "Numerical argument out of domain"],
  [ERANGE]: ["ERANGE", "Numerical result out of range"],
  [ENAMETOOLONG]: ["ENAMETOOLONG", "File name too long"],
  [ENOSYS]: ["ENOSYS", "Function not implemented"],
  [ENOTEMPTY]: ["ENOTEMPTY", "Directory not empty"],
  [ELOOP]: ["ELOOP", "Too many levels of symbolic links"],
  [EOVERFLOW]: ["EOVERFLOW", "Value too large for defined data type"],
  [EOPNOTSUPP]: ["EOPNOTSUPP", "Operation not supported"],
  [EDESTADDRREQ]: ["EDESTADDRREQ", "Destination address required"],
  [EPROTONOSUPPORT]: ["EPROTONOSUPPORT", "Protocol not supported"],
  [ESOCKTNOSUPPORT]: ["ESOCKTNOSUPPORT", "Socket type not supported"],
  [EAFNOSUPPORT]: ["EAFNOSUPPORT", "Address family not supported by protocol"],
  [ENOTCONN]: ["ENOTCONN", "Transport endpoint is not connected"],
  [ENODATA]: ["ENODATA", "No data available"],
  [ETIMEDOUT]: ["ETIMEDOUT", "Connection timed out"],
  // The kernel's restart codes (include/linux/errno.h; kern/signal.ts), as strace shows an interrupted call.
  512: ["ERESTARTSYS", "To be restarted if SA_RESTART is set"],
  513: ["ERESTARTNOINTR", "To be restarted"],
  514: ["ERESTARTNOHAND", "To be restarted if no handler"],
  516: ["ERESTART_RESTARTBLOCK", "Interrupted by signal"],
};

export function errnoName(e: number): string { return NAMES[e]?.[0] ?? `E${e}`; }
export function errnoText(e: number): string { return NAMES[e]?.[1] ?? `Unknown error ${e}`; }
