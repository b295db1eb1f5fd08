package provision

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opkuma/opkuma/internal/crontab"
)

// WriteURLFile replaces path with content, mode 0600, atomically (see
// WriteFileAtomic), and reports whether the file changed: one that holds
// content already, with mode 0600, is left alone.
func WriteURLFile(path, content string) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && string(old) == content {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() == 0o600 {
			return false, nil
		}
	}
	return true, WriteFileAtomic(path, []byte(content), 0o600)
}

// WriteFileAtomic replaces path with data and mode perm through a
// temporary file in the same directory, synced and renamed over it: a
// reader sees the old file or the new one, never a part.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReplaceLines returns data with the lines numbered in text (from 1)
// replaced by their new text; every other byte, line ends included, stays.
func ReplaceLines(data []byte, text map[int]string) []byte {
	parts := bytes.SplitAfter(data, []byte("\n"))
	for n, t := range text {
		end := ""
		if bytes.HasSuffix(parts[n-1], []byte("\n")) {
			end = "\n"
		}
		parts[n-1] = []byte(t + end)
	}
	return bytes.Join(parts, nil)
}

// ChangedError is returned by InstallFile and InstallUserCrontab when the
// crontab is no longer what was read: it is left as it is.
type ChangedError struct {
	Name string // the file, or "" for the user's crontab
}

// Error names the crontab that changed.
func (e *ChangedError) Error() string {
	if e.Name == "" {
		return "the user's crontab changed since it was read"
	}
	return e.Name + " changed since it was read"
}

// InstallFile puts data in place of the crontab file name (through its
// symbolic links), which must still hold old, keeping old in name~ (cron
// skips such names in /etc/cron.d) with the file's mode. It returns the
// backup's path; *ChangedError when the file no longer holds old.
func InstallFile(name string, old, data []byte) (string, error) {
	path, err := filepath.EvalSymlinks(name)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, old) {
		return "", &ChangedError{Name: name}
	}
	backup := path + "~"
	if err := WriteFileAtomic(backup, old, fi.Mode().Perm()); err != nil {
		return "", fmt.Errorf("backup of %s: %w (the crontab is unchanged)", name, err)
	}
	if err := WriteFileAtomic(path, data, fi.Mode().Perm()); err != nil {
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	return backup, nil
}

// InstallUserCrontab installs data as the user's crontab with crontab -,
// when crontab -l still prints old, keeping old in dir/crontab-TIME.bak
// (mode 0600, TIME from now). It returns the backup's path; *ChangedError
// when the crontab is no longer old.
func InstallUserCrontab(old, data []byte, dir string, now time.Time) (string, error) {
	cur, err := crontab.ReadUser()
	if err != nil || !bytes.Equal(cur, old) {
		return "", &ChangedError{}
	}
	backup := filepath.Join(dir, "crontab-"+now.Format("20060102-150405")+".bak")
	if err := WriteFileAtomic(backup, old, 0o600); err != nil {
		return "", fmt.Errorf("backup of your crontab: %w (the crontab is unchanged)", err)
	}
	if err := crontab.InstallUser(data); err != nil {
		return "", fmt.Errorf("%w (the old crontab is in %s)", err, backup)
	}
	return backup, nil
}
