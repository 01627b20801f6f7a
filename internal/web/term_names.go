package web

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"aftersales/internal/agreement"
)

// Term names a term of an agreement, as a diff or an adjustment lists it
// ("emergency.onsite_hours", "service_points[苏州网点].radius_km"), in the
// page's language: "紧急：到场时限（小时）", "服务半径（公里） · 苏州网点".
// A term without a name (one added to Terms later) shows its path.
func (v *view) Term(field string) string {
	path, keys := agreement.TermPath(field)
	if !v.bundle.Has("term." + path) {
		return field
	}
	name := v.T("term." + path)
	if len(keys) > 0 {
		name += " · " + strings.Join(keys, " · ")
	}
	return name
}

// TermValue shows a term's value in the page's language: yes or no, the
// name of a service, a priority, a settlement period, a way of counting; a
// list item added or removed whole as its fields with their names.
func (v *view) TermValue(field string, value any) string {
	if value == nil {
		return ""
	}
	path, _ := agreement.TermPath(field)
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Bool:
		if rv.Bool() {
			return v.T("termvalue.yes")
		}
		return v.T("termvalue.no")
	case reflect.Struct:
		t := rv.Type()
		var parts []string
		for i := range t.NumField() {
			name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if !t.Field(i).IsExported() || name == "-" || name == "" {
				continue
			}
			if strings.Contains(opts, "omitempty") && rv.Field(i).IsZero() {
				// Absent in the stored terms, so absent here (e.g. an
				// inline service point has no register id).
				continue
			}
			sub := path + "." + name
			parts = append(parts, v.Term(sub)+" "+v.TermValue(sub, rv.Field(i).Interface()))
		}
		return strings.Join(parts, "；")
	case reflect.Map:
		// A list item read back from JSON (an adjustment's stored changes).
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		var parts []string
		for _, k := range keys {
			sub := path + "." + fmt.Sprint(k)
			parts = append(parts, v.Term(sub)+" "+v.TermValue(sub, rv.MapIndex(k).Interface()))
		}
		return strings.Join(parts, "；")
	case reflect.String:
		return v.termWord(path, rv.String())
	}
	return fmt.Sprint(value)
}

// termWord names the value of a term that is a word of the product's own
// vocabulary; other text (a model's code, a calendar's id) is data.
func (v *view) termWord(path, s string) string {
	var id string
	switch {
	case s == "":
		return ""
	case path == "service_items" || strings.HasSuffix(path, ".service_item"):
		id = "item." + s
	case strings.HasSuffix(path, ".priority"):
		id = "priority." + s
	case path == "payment.settlement_period":
		id = "termvalue.period." + s
	case strings.HasSuffix(path, ".per"):
		id = "termvalue.per." + s
	case path == "survey.formula":
		id = "termvalue.formula." + s
	case path == "fees.part_markups.kind":
		id = "termvalue.part_kind." + s
	}
	if id != "" && v.bundle.Has(id) {
		return v.T(id)
	}
	return s
}
