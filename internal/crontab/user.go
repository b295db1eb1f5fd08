package crontab

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
)

// ReadUser returns the crontab of the user running this program, as
// crontab -l prints it. Its error holds what crontab said ("no crontab for
// root"), else why it could not run.
func ReadUser() ([]byte, error) {
	out, err := exec.Command("crontab", "-l").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(bytes.TrimSpace(ee.Stderr)) > 0 {
			return nil, fmt.Errorf("crontab -l: %s", bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("crontab -l: %w", err)
	}
	return out, nil
}

// InstallUser installs data as the crontab of the user running this
// program, with crontab -. Its error holds what crontab said.
func InstallUser(data []byte) error {
	cmd := exec.Command("crontab", "-")
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("crontab -: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}
