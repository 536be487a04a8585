package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// A nightly run fetches its look-back days again, and they are mostly as
// they were. Compressing a window's body is most of the work of landing
// it, so a window whose body is the text of the unit the day landed
// before under the same name is compared with that text as it arrives,
// not compressed, and the new landing keeps the previous unit's file (a
// hard link, or a copy). The body is hashed all the same: the unit is
// kept only when its text hashes to what its manifest says. From the
// first byte that differs the body is compressed as always, starting
// with the text that agreed (read from the previous unit again).

// sameText reads the previous unit's text alongside the body.
type sameText struct {
	text    io.ReadCloser
	agreed  int64 // bytes of the body equal to the previous text so far
	scratch []byte
}

// previousWindow is the unit of the same window in the landing being
// replaced, or nil.
func (b *DayBuilder) previousWindow(name string) *Unit {
	for _, u := range b.previous.Units {
		if u.File == name && u.Kind == KindWindow && u.SHA256 != "" {
			return &u
		}
	}
	return nil
}

// openSame opens the previous unit's text; nil when it cannot be read,
// which only means the body is compressed from the start.
func openSame(path string) *sameText {
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	text, err := openText(path)
	if err != nil {
		return nil
	}
	return &sameText{text: text}
}

// agrees reports whether p is the previous text's next bytes; once it
// returns false the comparison is over, and agreed is what the writes
// before p agreed with.
func (s *sameText) agrees(p []byte) bool {
	whole := int64(len(p))
	for len(p) > 0 {
		n := min(len(p), 64<<10)
		if cap(s.scratch) < n {
			s.scratch = make([]byte, n)
		}
		got := s.scratch[:n]
		// A previous unit that cannot be read to here (damaged, or
		// shorter) simply differs.
		if _, err := io.ReadFull(s.text, got); err != nil || !bytes.Equal(got, p[:n]) {
			return false
		}
		p = p[n:]
	}
	s.agreed += whole
	return true
}

// ended reports whether the previous text ends where the body did.
func (s *sameText) ended() bool {
	var one [1]byte
	n, err := io.ReadFull(s.text, one[:])
	return n == 0 && errors.Is(err, io.EOF)
}

func (s *sameText) close() {
	if s != nil {
		s.text.Close()
	}
}

// differ ends the comparison: the body is compressed from here on,
// starting with the text it agreed with so far.
func (u *unitFile) differ() error {
	agreed := u.same.agreed
	u.same.close()
	u.same = nil
	u.zw = newPacker(u.f)
	if agreed == 0 {
		return nil
	}
	text, err := openText(u.previousPath)
	if err != nil {
		return fmt.Errorf("read the previous %s again: %w", u.previous.File, err)
	}
	defer text.Close()
	if _, err := io.CopyN(u.zw, text, agreed); err != nil {
		return fmt.Errorf("read the previous %s again: %w", u.previous.File, err)
	}
	return nil
}

// keepPrevious makes the unit being written the previous unit's file,
// and returns its size.
func (u *unitFile) keepPrevious() (int64, error) {
	u.same.close()
	u.same = nil
	name := u.f.Name()
	u.f.Close()
	if err := os.Remove(name); err != nil {
		return 0, err
	}
	if err := os.Link(u.previousPath, name); err != nil {
		if err := copyFile(u.previousPath, name); err != nil {
			return 0, fmt.Errorf("keep the previous %s: %w", u.previous.File, err)
		}
	}
	st, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// copyFile copies src to a new, synced file dst, where a hard link
// cannot be made.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
