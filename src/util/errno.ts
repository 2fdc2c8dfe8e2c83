// glibc's strerror() texts for the errors a server meets at start-up and on its files and
// sockets. Redis prints strerror(errno) in its messages; Node only gives the code name (and
// libuv's own lower-case wording), so the texts users know from Redis come from this table.

const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EACCES: 'Permission denied',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EDQUOT: 'Disk quota exceeded',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOPROTOOPT: 'Protocol not available',
  EPROTONOSUPPORT: 'Protocol not supported',
  ENETUNREACH: 'Network is unreachable',
  ECONNREFUSED: 'Connection refused',
  // getaddrinfo failures: Redis prints gai_strerror() for these.
  ENOTFOUND: 'Name or service not known',
  EAI_NONAME: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
};

/** strerror() text for a Node error code ("EACCES" -> "Permission denied"); the code itself when unknown. */
export function strerror(code: string | undefined): string {
  if (code === undefined) return 'Unknown error';
  return STRERROR[code] ?? code;
}

/** strerror() text of a thrown Node system error (falls back to its message). */
export function describeSystemError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && code in STRERROR) return STRERROR[code];
    return err.message;
  }
  return String(err);
}

/** Whether the code is a getaddrinfo failure (Redis prints those without a "bind: " prefix). */
export function isResolverError(code: string | undefined): boolean {
  return code === 'ENOTFOUND' || (code !== undefined && code.startsWith('EAI_'));
}
