// Package atomicfile writes files so that a reader sees either the old file or the complete new
// one, never a partial one: data goes to a temporary name in the same directory, is synced, then
// renamed over the target, and the directory is synced. A failed or abandoned write leaves the
// target untouched and removes the temporary file.
package atomicfile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// File is a file being written atomically. Write through File (or W, a 1 MiB buffered writer on
// top of it), then call Commit; call Abort (safe after Commit, so it can be deferred) to give up.
type File struct {
	*os.File
	W      *bufio.Writer
	target string
	done   bool
}

// Create opens a temporary file beside path.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	// CreateTemp makes 0600 files; outputs are ordinary files meant to be shared (the scorer's
	// service user reads bundles), so give them the usual 0644 (before umask, like os.Create).
	if err := f.Chmod(os.FileMode(0o644 &^ umask())); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{File: f, W: bufio.NewWriterSize(f, 1<<20), target: path}, nil
}

// Commit flushes W, syncs, closes and renames the file to its target, then syncs the directory.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s committed or aborted already", f.target)
	}
	f.done = true
	err := f.W.Flush()
	if err == nil {
		err = f.File.Sync()
	}
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.File.Name(), f.target)
	}
	if err != nil {
		os.Remove(f.File.Name())
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	return SyncDir(filepath.Dir(f.target))
}

// Abort discards the temporary file; it does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.W.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// SyncDir fsyncs a directory so that a rename inside it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
