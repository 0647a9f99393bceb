package io.edhoc.oscore.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Contexts in a directory, for a single node that must survive a restart or a {@code kill -9}:
 * one file per Recipient ID ({@code HEX.ctx}), each sealed by a {@link ContextSealer} under a key
 * kept elsewhere (a key file outside the directory). Every change is written to a temporary file,
 * forced to disk ({@code fsync}), renamed over the old file atomically, and the directory is forced
 * too, <em>before</em> the change is visible to any caller: a Sender Sequence Number range is
 * never handed out unless its reservation is on disk, so a crash at any instant leaves either the
 * old or the new record, and a reload starts above every range ever handed out (RFC 8613 B.1.1).
 *
 * <p>One process at a time: opening takes an exclusive lock on {@code .lock} in the directory
 * (released by the OS when the process dies, even by {@code kill -9}); a second opener gets a clear
 * error. Records are read once at open (an index in memory keeps the bound O(1)); a file that does
 * not authenticate under the key makes the open fail (wrong key or tampering), leftover temporary
 * files are deleted.
 */
public final class FileOscoreContextStore extends LocalContextStore implements AutoCloseable {
  private static final String SUFFIX = ".ctx";
  private final Path dir;
  private final ContextSealer sealer;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private FileOscoreContextStore(Path dir, ContextSealer sealer, int maxContexts, FileChannel lockChannel, FileLock lock) {
    super(maxContexts);
    this.dir = dir;
    this.sealer = sealer;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Opens (creating the directory, owner-only) and loads every stored context. */
  public static FileOscoreContextStore open(Path dir, byte[] key, int maxContexts) throws IOException {
    ContextSealer sealer = new ContextSealer(key);
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir);
      }
    }
    FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("OSCORE context store " + dir + " is in use by another process (or already open in this one)");
    }
    FileOscoreContextStore store = new FileOscoreContextStore(dir, sealer, maxContexts, ch, lock);
    try {
      store.loadAll();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private void loadAll() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.contains(".tmp")) {
          Files.deleteIfExists(p); // an interrupted write: the previous version is still in place
        } else if (name.endsWith(SUFFIX)) {
          files.add(p);
        }
      }
    }
    files.sort(Comparator.comparing(p -> {
      try {
        return Files.getLastModifiedTime(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }));
    for (Path p : files) {
      String name = p.getFileName().toString();
      byte[] rid;
      try {
        rid = HexFormat.of().parseHex(name.substring(0, name.length() - SUFFIX.length()));
      } catch (IllegalArgumentException e) {
        continue; // not ours
      }
      StoredContext r = sealer.open(rid, Files.readAllBytes(p));
      if (r == null) {
        throw new IOException("stored OSCORE context " + p + " does not authenticate: wrong store key, or the file was altered");
      }
      restore(r);
    }
  }

  public Path directory() {
    return dir;
  }

  @Override
  void persist(byte[] recipientId, StoredContext update) {
    Path target = dir.resolve(key(recipientId) + SUFFIX);
    try {
      if (update == null) {
        Files.deleteIfExists(target);
      } else {
        Path tmp = dir.resolve(key(recipientId) + ".tmp" + Long.toHexString(System.nanoTime()));
        try (FileChannel ch = ownerOnly(tmp)) {
          ByteBuffer b = ByteBuffer.wrap(sealer.seal(recipientId, update));
          while (b.hasRemaining()) {
            ch.write(b);
          }
          ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the OSCORE context store " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A new file readable and writable by the owner only (where the file system has POSIX permissions). */
  private static FileChannel ownerOnly(Path p) throws IOException {
    java.util.Set<StandardOpenOption> opts = java.util.EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      return FileChannel.open(p, opts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(p, opts);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing releases it anyway
    }
    try {
      lockChannel.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public String toString() {
    return "FileOscoreContextStore[" + dir + ", " + size() + " contexts]";
  }
}
