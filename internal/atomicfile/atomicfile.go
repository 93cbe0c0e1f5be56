// Package atomicfile writes files so that a reader, or a crash, never sees a
// half-written file: data goes to a temporary file in the same directory,
// is synced, gets its final mode, and is renamed over the target. A path
// that is a symbolic link is written through: the file it points to is
// replaced and the link stays.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data. perm is used for a new file; when keepMode
// is true and path already exists, its mode is kept instead. When path is a
// symbolic link (or a chain of them), the file at its end is replaced and
// the link is kept; a dangling link creates the file it names.
func Write(path string, data []byte, perm fs.FileMode, keepMode bool) error {
	path, err := ResolveLinks(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if keepMode {
		if st, err := os.Stat(path); err == nil {
			perm = st.Mode().Perm()
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		// Name the directory, not the temporary file nobody asked for.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the directory %s does not exist: %w", dir, err)
		}
		return fmt.Errorf("cannot create a file in %s: %w", dir, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	// CreateTemp makes the file 0600, so secrets are never briefly world-readable.
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ResolveLinks follows path through symbolic links to the file a write
// should replace, so that renaming over it leaves the links in place. A
// dangling link resolves to the path it names.
func ResolveLinks(path string) (string, error) {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	for range 255 {
		st, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Mode()&fs.ModeSymlink == 0) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}
