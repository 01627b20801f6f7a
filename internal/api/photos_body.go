package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/files"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
)

// The photos of add-service-request-photos come as base64 in JSON, up to
// six of 10 MiB. huma would hold the whole body, then its strings, then the
// decoded photos; instead the body is read as a stream of tokens, and each
// photo is decoded into a temporary file as soon as its string is read, so
// that the server holds at most one photo's text at a time.

// photosBody is the JSON the operation takes, for its schema in the
// document; readPhotosBody reads it.
type photosBody struct {
	Stage       string    `json:"stage" enum:"fault,work" doc:"fault: the fault as found; work: the work done on a visit (give work_order_id)."`
	WorkOrderID int64     `json:"work_order_id,omitempty" minimum:"0" doc:"The visit the photos belong to; required for a technician."`
	Photos      []photoIn `json:"photos" minItems:"1" maxItems:"6"`
}

// photosAddInput reads its body itself (Resolve), as a stream.
type photosAddInput struct {
	ID int64 `path:"id" minimum:"1"`

	body    servicerequest.NewPhotos
	readErr error
}

// Resolve reads the body once huma has read the path. An error is kept for
// the handler, which answers it as every other problem.
func (in *photosAddInput) Resolve(ctx huma.Context) []error {
	in.body, in.readErr = readPhotosBody(ctx.BodyReader())
	return nil
}

// maxPhotoText is the longest base64 text of one accepted photo.
var maxPhotoText = int64(base64.StdEncoding.EncodedLen(servicerequest.MaxPhotoBytes))

// MaxPhotosBody bounds the body of add-service-request-photos: six photos
// at their limit in base64, and room for the rest.
var MaxPhotosBody = int64(servicerequest.MaxPhotos)*maxPhotoText + 64<<10

var errPhotoTooLong = errors.New("photo text over its limit")

// tokenLimit counts what the decoder reads and, while stop is set, refuses
// to read past it: a photo's text is cut off at its limit rather than read
// whole first.
type tokenLimit struct {
	r    io.Reader
	n    int64
	stop int64 // 0: no stop
}

func (t *tokenLimit) Read(p []byte) (int, error) {
	if t.stop > 0 {
		if t.n >= t.stop {
			return 0, errPhotoTooLong
		}
		p = p[:min(int64(len(p)), t.stop-t.n)]
	}
	n, err := t.r.Read(p)
	t.n += int64(n)
	return n, err
}

// readPhotosBody reads {"stage", "work_order_id", "photos": [{"filename",
// "content"}]}, refusing unknown properties as the other operations do.
// The photos it returns are open; on error it has closed them.
func readPhotosBody(r io.Reader) (n servicerequest.NewPhotos, err error) {
	lim := &tokenLimit{r: r}
	dec := json.NewDecoder(lim)
	dec.UseNumber()
	defer func() {
		if err != nil {
			files.CloseAll(n.Photos)
			n.Photos = nil
			err = bodyError(err)
		}
	}()
	if err := expectDelim(dec, '{'); err != nil {
		return n, err
	}
	for dec.More() {
		key, err := stringToken(dec, "body")
		if err != nil {
			return n, err
		}
		switch key {
		case "stage":
			if n.Stage, err = stringToken(dec, "body.stage"); err != nil {
				return n, err
			}
		case "work_order_id":
			tok, err := dec.Token()
			if err != nil {
				return n, err
			}
			num, ok := tok.(json.Number)
			id, perr := strconv.ParseInt(string(num), 10, 64)
			if !ok || perr != nil || id < 0 {
				return n, problem.Field("body.work_order_id", "expected a whole number, at least 0")
			}
			n.WorkOrderID = id
		case "photos":
			if n.Photos, err = readPhotos(dec, lim); err != nil {
				return n, err
			}
		default:
			return n, problem.Field("body."+clip(key), "unexpected property")
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return n, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return n, problem.New(problem.MalformedRequest, "the body holds more than one JSON value")
	}
	if n.Photos == nil {
		return n, problem.Field("body.photos", "expected required property photos to be present")
	}
	return n, nil
}

func readPhotos(dec *json.Decoder, lim *tokenLimit) ([]*files.Incoming, error) {
	out := []*files.Incoming{}
	if err := expectDelim(dec, '['); err != nil {
		return out, err
	}
	for i := 0; dec.More(); i++ {
		at := fmt.Sprintf("body.photos[%d]", i)
		if i == servicerequest.MaxPhotos {
			return out, problem.Field("body.photos", "at most %d photos at a time", servicerequest.MaxPhotos)
		}
		if err := expectDelim(dec, '{'); err != nil {
			return out, err
		}
		var name string
		var in *files.Incoming
		for dec.More() {
			key, err := stringToken(dec, at)
			if err != nil {
				return out, err
			}
			switch key {
			case "filename":
				if name, err = stringToken(dec, at+".filename"); err != nil {
					return out, err
				}
				if name == "" || utf8.RuneCountInString(name) > files.MaxNameLength {
					return out, problem.Field(at+".filename", "expected a name of 1 to %d characters", files.MaxNameLength)
				}
			case "content":
				if in != nil {
					return out, problem.Field(at+".content", "given twice")
				}
				lim.stop = dec.InputOffset() + maxPhotoText + 64
				text, err := stringToken(dec, at+".content")
				lim.stop = 0
				var tl *files.TooLargeError
				if errors.Is(err, errPhotoTooLong) {
					return out, problem.Field(at, "the photo is larger than %s; at most %s is accepted",
						files.HumanSize(servicerequest.MaxPhotoBytes), files.HumanSize(servicerequest.MaxPhotoBytes))
				}
				if err != nil {
					return out, err
				}
				in, err = files.Receive("", base64.NewDecoder(base64.StdEncoding, strings.NewReader(text)), servicerequest.MaxPhotoBytes)
				var corrupt base64.CorruptInputError
				if errors.As(err, &tl) {
					return out, problem.Field(at, "the photo is larger than %s; at most %s is accepted",
						files.HumanSize(servicerequest.MaxPhotoBytes), files.HumanSize(servicerequest.MaxPhotoBytes))
				}
				if errors.As(err, &corrupt) {
					return out, problem.Field(at+".content", "is not valid base64")
				}
				if err != nil {
					return out, err
				}
				out = append(out, in)
			default:
				return out, problem.Field(at+"."+clip(key), "unexpected property")
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return out, err
		}
		if in == nil {
			return out, problem.Field(at+".content", "expected required property content to be present")
		}
		if name == "" {
			return out, problem.Field(at+".filename", "expected required property filename to be present")
		}
		in.Name = name
	}
	if err := expectDelim(dec, ']'); err != nil {
		return out, err
	}
	if len(out) == 0 {
		return out, problem.Field("body.photos", "choose at least one photo")
	}
	return out, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return problem.New(problem.MalformedRequest, "the body is not of the expected shape: %q expected at offset %d", string(want), dec.InputOffset())
	}
	return nil
}

// stringToken reads a string; its text is valid UTF-8 as sent (the decoder
// would silently replace bad bytes with U+FFFD, which is refused).
func stringToken(dec *json.Decoder, field string) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", problem.Field(field, "expected a string")
	}
	if strings.ContainsRune(s, utf8.RuneError) || strings.ContainsRune(s, 0) {
		return "", problem.Field(field, "is not valid UTF-8 text")
	}
	return s, nil
}

// bodyError turns what reading the body failed with into a problem: the
// body limit is 413, bad JSON 400; problems pass.
func bodyError(err error) error {
	if _, ok := problem.As(err); ok {
		return err
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return problem.New(problem.PayloadTooLarge, "the body is larger than %s, the limit of this address", files.HumanSize(mbe.Limit))
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return problem.New(problem.MalformedRequest, "the body is not valid JSON")
	}
	return err
}

// clip shortens a client's property name for a location.
func clip(s string) string {
	if len(s) > 64 || !utf8.ValidString(s) {
		return "?"
	}
	return s
}
