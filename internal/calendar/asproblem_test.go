package calendar

import (
	"errors"
	"testing"

	"aftersales/internal/problem"
)

func TestAsProblemNamesEveryField(t *testing.T) {
	spec := validSpec()
	spec.ID, spec.TimeZone = "", ""
	err := AsProblem(spec.Validate())
	var p *problem.Error
	if !errors.As(err, &p) || p.Kind != problem.Invalid {
		t.Fatalf("AsProblem(invalid spec) = %v, want a validation problem", err)
	}
	got := map[string]string{}
	for _, f := range p.Fields {
		got[f.Field] = f.Message
	}
	if got["id"] != "is required" || got["time_zone"] == "" || len(got) != 2 {
		t.Fatalf("fields %v, want id and time_zone", got)
	}
}

func TestAsProblemPassesOtherErrorsThrough(t *testing.T) {
	other := errors.New("stored spec: unexpected end of JSON input")
	for _, err := range []error{nil, other} {
		if got := AsProblem(err); got != err {
			t.Errorf("AsProblem(%v) = %v, want it unchanged", err, got)
		}
	}
}
