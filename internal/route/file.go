package route

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxFileSize bounds the files the parsers read.
const maxFileSize = 64 << 20

// SolutionFile is a solution as written by `route solve --out` and read by
// `route check`: each route the visits' numbers in the order driven, the
// start and end left out. Technicians, when given, says whose route each
// one is (else the i-th route is the i-th technician's); Unplaced lists the
// visits the solution leaves out on purpose. Best-known solution files name
// their routes "solution" instead of "routes"; both are read.
type SolutionFile struct {
	Vehicles    int       `json:"vehicles"`
	Distance    float64   `json:"distance"`
	Routes      [][]int64 `json:"routes"`
	Technicians []int64   `json:"technicians,omitempty"`
	Unplaced    []int64   `json:"unplaced,omitempty"`
}

// SolutionFromPlan writes a plan in the solution file's terms.
func SolutionFromPlan(p *Plan) *SolutionFile {
	f := &SolutionFile{Vehicles: p.Vehicles, Distance: p.Distance, Routes: [][]int64{}}
	for _, r := range p.Routes {
		ids := make([]int64, len(r.Stops))
		for i, s := range r.Stops {
			ids[i] = s.Visit
		}
		f.Routes = append(f.Routes, ids)
		f.Technicians = append(f.Technicians, r.Technician)
	}
	for _, u := range p.Unplaced {
		f.Unplaced = append(f.Unplaced, u.Visit)
	}
	return f
}

// ParseSolution reads a solution file; errors name the line.
func ParseSolution(r io.Reader) (*SolutionFile, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var raw struct {
		SolutionFile
		Solution [][]int64 `json:"solution"`
	}
	if err := decodeJSON(data, &raw, false); err != nil {
		return nil, err
	}
	f := raw.SolutionFile
	if f.Routes == nil {
		f.Routes = raw.Solution
	}
	if f.Routes == nil {
		return nil, &ParseError{0, `the solution has no "routes"`}
	}
	var kept [][]int64
	for _, r := range f.Routes {
		if len(r) > 0 {
			kept = append(kept, r)
		}
	}
	if f.Technicians != nil && len(f.Technicians) != len(f.Routes) {
		return nil, &ParseError{0, fmt.Sprintf(`"technicians" names %d technicians for %d routes`, len(f.Technicians), len(f.Routes))}
	}
	if f.Technicians == nil {
		f.Routes = kept
	}
	return &f, nil
}

// ParseDay reads a day in the product's JSON format: a Problem, with the
// field names of its JSON tags. Unknown fields are errors.
func ParseDay(r io.Reader) (*Problem, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var p Problem
	if err := decodeJSON(data, &p, true); err != nil {
		return nil, err
	}
	if err := validate(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ParseInstance reads a day in JSON (the file starts with "{") or an
// instance in Solomon's format.
func ParseInstance(r io.Reader) (*Problem, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		return ParseDay(bytes.NewReader(data))
	}
	return ParseSolomon(bytes.NewReader(data))
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, &ParseError{0, fmt.Sprintf("the file is larger than %d MiB", maxFileSize>>20)}
	}
	return data, nil
}

// decodeJSON decodes one JSON value, turning offsets into line numbers.
func decodeJSON(data []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return &ParseError{lineAt(data, dec.InputOffset()), "unexpected data after the JSON value"}
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &ParseError{lineAt(data, syn.Offset), syn.Error()}
	case errors.As(err, &typ):
		return &ParseError{lineAt(data, typ.Offset), fmt.Sprintf("%s: expected %s, found %s", typ.Field, typ.Type, typ.Value)}
	case errors.Is(err, io.EOF):
		return &ParseError{0, "the file is empty"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ParseError{lineAt(data, int64(len(data))), "the JSON ends too early"}
	}
	line := lineAt(data, dec.InputOffset())
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		// The decoder reports where the object ends; name the field's own line.
		if i := bytes.Index(data, []byte(name)); i >= 0 {
			line = lineAt(data, int64(i))
		}
		return &ParseError{line, "unknown field " + name}
	}
	return &ParseError{line, err.Error()}
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// WriteSolution writes f as JSON with one route to a line.
func WriteSolution(w io.Writer, f *SolutionFile) error {
	var b bytes.Buffer
	field := func(name string, v any, last bool) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "  %q: %s", name, data)
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	b.WriteString("{\n")
	if err := field("vehicles", f.Vehicles, false); err != nil {
		return err
	}
	if err := field("distance", f.Distance, false); err != nil {
		return err
	}
	b.WriteString("  \"routes\": [")
	for i, r := range f.Routes {
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		b.Write(data)
	}
	if len(f.Routes) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]")
	if f.Technicians != nil || f.Unplaced != nil {
		b.WriteString(",\n")
		if err := field("technicians", nonNil(f.Technicians), false); err != nil {
			return err
		}
		if err := field("unplaced", nonNil(f.Unplaced), true); err != nil {
			return err
		}
	} else {
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func nonNil(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}
