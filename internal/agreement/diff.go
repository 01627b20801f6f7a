package agreement

import (
	"fmt"
	"reflect"
	"strings"
)

// ChangeKind says what happened to a field between two versions.
type ChangeKind string

const (
	Changed ChangeKind = "changed" // a single value changed
	Added   ChangeKind = "added"   // an item joined a list, or an optional value was set
	Removed ChangeKind = "removed" // an item left a list, or an optional value was cleared
)

// Change is one difference between two versions' terms. Field is the JSON
// path, e.g. "emergency.response_hours", "service_area" or
// "service_points[苏州网点].radius_km".
type Change struct {
	Field string     `json:"field"`
	Kind  ChangeKind `json:"kind"`
	From  any        `json:"from,omitempty"`
	To    any        `json:"to,omitempty"`
}

// Diff lists the differences from a to b, field by field in the order of
// Terms: changed scalars with both values, list items added or removed
// (lists are sets: reordering is no change), service points matched by name.
// It walks the struct by reflection, so terms added later are diffed too.
func Diff(a, b Terms) []Change {
	var out []Change
	diffValue(&out, "", reflect.ValueOf(a), reflect.ValueOf(b))
	return out
}

func diffValue(out *[]Change, path string, a, b reflect.Value) {
	switch a.Kind() {
	case reflect.Struct:
		t := a.Type()
		for i := range t.NumField() {
			name := jsonName(t.Field(i))
			if name == "" {
				continue
			}
			diffValue(out, join(path, name), a.Field(i), b.Field(i))
		}
	case reflect.Pointer:
		switch {
		case a.IsNil() && b.IsNil():
		case a.IsNil():
			leaves(out, path, Added, b.Elem())
		case b.IsNil():
			leaves(out, path, Removed, a.Elem())
		default:
			diffValue(out, path, a.Elem(), b.Elem())
		}
	case reflect.Slice:
		diffList(out, path, a, b)
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, Change{Field: path, Kind: Changed, From: a.Interface(), To: b.Interface()})
		}
	}
}

// diffList compares lists as sets. Items that are structs with a Name are
// matched by name and diffed field by field; other items are compared whole.
func diffList(out *[]Change, path string, a, b reflect.Value) {
	key := func(v reflect.Value) string {
		if v.Kind() == reflect.Struct {
			if f := v.FieldByName("Name"); f.IsValid() {
				return f.String()
			}
		}
		return fmt.Sprint(v.Interface())
	}
	index := func(l reflect.Value) map[string]reflect.Value {
		m := make(map[string]reflect.Value, l.Len())
		for i := range l.Len() {
			m[key(l.Index(i))] = l.Index(i)
		}
		return m
	}
	inA, inB := index(a), index(b)
	for i := range a.Len() {
		x := a.Index(i)
		y, ok := inB[key(x)]
		switch {
		case !ok:
			*out = append(*out, Change{Field: path, Kind: Removed, From: x.Interface()})
		case x.Kind() == reflect.Struct:
			diffValue(out, fmt.Sprintf("%s[%s]", path, key(x)), x, y)
		}
	}
	for i := range b.Len() {
		if y := b.Index(i); !hasKey(inA, key(y)) {
			*out = append(*out, Change{Field: path, Kind: Added, To: y.Interface()})
		}
	}
}

func hasKey(m map[string]reflect.Value, k string) bool { _, ok := m[k]; return ok }

// leaves reports every field of an optional value that appeared or vanished.
func leaves(out *[]Change, path string, kind ChangeKind, v reflect.Value) {
	if v.Kind() == reflect.Struct {
		t := v.Type()
		for i := range t.NumField() {
			if name := jsonName(t.Field(i)); name != "" {
				leaves(out, join(path, name), kind, v.Field(i))
			}
		}
		return
	}
	if v.IsZero() {
		return
	}
	c := Change{Field: path, Kind: kind}
	if kind == Added {
		c.To = v.Interface()
	} else {
		c.From = v.Interface()
	}
	*out = append(*out, c)
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
