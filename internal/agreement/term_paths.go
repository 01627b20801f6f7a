package agreement

import (
	"reflect"
	"regexp"
)

// TermPaths lists the path of every term a Diff can name, in the order of
// Terms, with list items' keys left out ("service_points.radius_km" for the
// diff's "service_points[苏州网点].radius_km"): what a reader of a diff needs
// a name for. A list of structs is listed itself (an item added or removed
// whole) and then by its items' fields.
func TermPaths() []string {
	var out []string
	var walk func(path string, t reflect.Type)
	walk = func(path string, t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer:
			walk(path, t.Elem())
			return
		case reflect.Struct:
			for i := range t.NumField() {
				if name := jsonName(t.Field(i)); name != "" {
					walk(join(path, name), t.Field(i).Type)
				}
			}
			return
		case reflect.Slice:
			out = append(out, path)
			if t.Elem().Kind() == reflect.Struct {
				walk(path, t.Elem())
			}
			return
		}
		out = append(out, path)
	}
	walk("", reflect.TypeOf(Terms{}))
	return out
}

var itemKey = regexp.MustCompile(`\[[^\]]*\]`)

// TermPath is a diff field's path without its list items' keys, as
// TermPaths lists it, and the keys it had ("苏州网点").
func TermPath(field string) (path string, keys []string) {
	for _, m := range itemKey.FindAllString(field, -1) {
		keys = append(keys, m[1:len(m)-1])
	}
	return itemKey.ReplaceAllString(field, ""), keys
}
