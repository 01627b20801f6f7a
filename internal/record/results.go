package record

// Results are the outcomes a visit ends with, as a visit records them at
// check-out and a correction may change them.
var Results = []string{"fixed", "not_fixed", "needs_parts"}
