package httpapi

// Describe exposes describe to the tests of the message policy.
var Describe = func(err error) (status int, code, message string, fields map[string]string) {
	status, d := describe(err)
	return status, string(d.Code), d.Message, d.Fields
}
