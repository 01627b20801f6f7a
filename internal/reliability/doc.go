// Package reliability holds the proof suites of the product's promises under
// faults, run against the real built binary (`aftersales serve`) on both
// engines: the crash suite (SIGKILL under write load, then retries), the
// instances suite (two servers on one PostgreSQL, a rolling restart) and the
// fuzzing suite (the JSON API driven from its own OpenAPI document with
// malformed values). The package has no code of its own outside its tests;
// see docs/RELIABILITY.md for what each suite checks and how to run its
// long form.
package reliability
