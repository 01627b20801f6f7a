package servicerequest

// For the tests of package servicerequest_test.
var (
	NumberPrefix = numberPrefix
	NumberDigits = numberDigits
)
