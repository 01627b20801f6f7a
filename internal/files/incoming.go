package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// Incoming is an uploaded file as it was received: written to a temporary
// file as it arrived, hashed (SHA-256) as it was written, never held whole
// in memory. Its type is checked from its content by Check, which reads
// only what it needs (an image's header, a PDF's tail, a zip's directory).
// Close removes the temporary file.
type Incoming struct {
	Name string
	size int64
	sum  [sha256.Size]byte
	file *os.File    // nil when made from bytes
	ra   io.ReaderAt // file, or the bytes
}

// TooLargeError tells that an upload went past its limit; reading stopped
// there.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the file is larger than %s", HumanSize(e.Limit))
}

// Receive reads r into a temporary file, at most maxBytes: past that it
// stops reading and returns a *TooLargeError. name is the client's file name.
func Receive(name string, r io.Reader, maxBytes int64) (*Incoming, error) {
	f, err := os.CreateTemp("", "upload-*")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, maxBytes+1))
	if err == nil && n > maxBytes {
		err = &TooLargeError{Limit: maxBytes}
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	in := &Incoming{Name: name, size: n, file: f, ra: f}
	h.Sum(in.sum[:0])
	return in, nil
}

// FromBytes is an upload already in memory (the demo's files, tests).
func FromBytes(name string, data []byte) *Incoming {
	return &Incoming{Name: name, size: int64(len(data)), sum: sha256.Sum256(data), ra: bytes.NewReader(data)}
}

// Size is the file's length in bytes.
func (in *Incoming) Size() int64 { return in.size }

// SHA256 is the hex SHA-256 of the content.
func (in *Incoming) SHA256() string { return hex.EncodeToString(in.sum[:]) }

// ReadAt reads the content at off.
func (in *Incoming) ReadAt(p []byte, off int64) (int, error) { return in.ra.ReadAt(p, off) }

// Reader reads the content from its start.
func (in *Incoming) Reader() io.Reader { return io.NewSectionReader(in.ra, 0, in.size) }

// Path is the temporary file's name, for programs that read files
// (pdftotext); "" when the content is in memory.
func (in *Incoming) Path() string {
	if in.file == nil {
		return ""
	}
	return in.file.Name()
}

// Bytes reads the whole content into one slice of its exact size: the
// database driver needs the bytes of a row at once.
func (in *Incoming) Bytes() ([]byte, error) {
	data := make([]byte, in.size)
	_, err := io.ReadFull(in.Reader(), data)
	return data, err
}

// Close removes the temporary file; an Incoming may be closed twice.
func (in *Incoming) Close() error {
	if in == nil || in.file == nil {
		return nil
	}
	err := in.file.Close()
	if rmErr := os.Remove(in.file.Name()); err == nil {
		err = rmErr
	}
	in.file = nil
	in.ra = bytes.NewReader(nil)
	return err
}

// CloseAll closes every upload of ins.
func CloseAll[T interface{ Close() error }](ins []T) {
	for _, in := range ins {
		_ = in.Close()
	}
}
