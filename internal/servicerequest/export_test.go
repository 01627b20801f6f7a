package servicerequest

// For the tests of package servicerequest_test.
var (
	NumberPrefix = numberPrefix
	NumberDigits = numberDigits
)

// WithoutSearchProbe is s searching as it did before the probe of the GIN
// index: the primary key walked backwards for every term.
func (s *Service) WithoutSearchProbe() *Service {
	c := *s
	c.unprobed = true
	return &c
}

// WithSearchProbe is s walking window requests first, then up to reach
// more when the window suggests the page is there, then taking at most
// probe matches from the GIN index before it decides how to read the rest.
func (s *Service) WithSearchProbe(window, reach, probe int) *Service {
	c := *s
	c.window, c.reach, c.probe = window, reach, probe
	return &c
}

// WithBacklogPerRun is s storing at most n requests of the clocks' backlog
// a run.
func (s *Service) WithBacklogPerRun(n int) *Service {
	c := *s
	c.backlog = n
	return &c
}
