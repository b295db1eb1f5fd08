package kumaapi

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTPPeriod is the time step of Uptime Kuma's TOTP codes.
const TOTPPeriod = 30 * time.Second

// TOTP returns the 6-digit RFC 6238 code (HMAC-SHA1, 30 s steps) of secret
// at t, as Uptime Kuma's 2FA (notp) checks it.
func TOTP(secret []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/int64(TOTPPeriod/time.Second)))
	h := hmac.New(sha1.New, secret)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1000000)
}

// ParseTOTPSecret reads a two-factor secret as Uptime Kuma shows it when 2FA
// is set up: the base32 text of its otpauth:// URI (spaces, padding and case
// ignored), or that URI itself. It returns the key.
func ParseTOTPSecret(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "otpauth://") {
		u, err := url.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("not an otpauth:// URI: %w", err)
		}
		text = u.Query().Get("secret")
	}
	text = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "=", "").Replace(text))
	if text == "" {
		return nil, fmt.Errorf("no secret: want the base32 secret or the otpauth:// URI shown when 2FA was set up")
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("the secret is not base32 (letters A-Z and digits 2-7): %w", err)
	}
	return key, nil
}
