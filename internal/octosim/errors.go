package octosim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error texts the reference quotes from real servers. Keep them verbatim:
// clients and users match on them.
const (
	msgBadRequest    = "There was a problem with your request."
	msgNoCredentials = "You must be logged in to perform this action. Please provide a valid API key or log in again."
	msgBadAPIKey     = "The API key you provided was not valid. Please double-check your API key and try again. For instructions on finding your API key, please visit: https://oc.to/ApiKey"
	msgNullReference = "Object reference not set to an instance of an object."
	msgForbidden     = "You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: "
)

// apiError is an error that knows its HTTP status and Octopus error body.
// Every 4xx and 5xx the simulator sends is one of these, so no client ever
// sees an empty error body (go-client treats those as success).
type apiError struct {
	Status  int
	Message string
	Errors  []string
	Details any
}

func (e *apiError) Error() string {
	if len(e.Errors) == 0 {
		return e.Message
	}
	return e.Message + " " + strings.Join(e.Errors, " ")
}

// body renders the error as Octopus does, with every field present.
func (e *apiError) body() map[string]any {
	errs := e.Errors
	if errs == nil {
		errs = []string{}
	}
	return map[string]any{
		"ErrorMessage":    e.Message,
		"Errors":          errs,
		"FullException":   nil,
		"HelpText":        nil,
		"HelpLink":        nil,
		"ParsedHelpLinks": []string{},
		"Details":         e.Details,
	}
}

// badRequest is the 400 shape: a fixed headline and the details in Errors.
func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: msgBadRequest, Errors: []string{fmt.Sprintf(format, args...)}}
}

// notFound is the 404 for a missing document, worded as real servers word it
// ("The resource 'Projects-9' was not found.").
func notFound(id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("The resource '%s' was not found.", id)}
}

// noRoute is the 404 for a path no endpoint serves.
func noRoute() *apiError {
	return &apiError{Status: http.StatusNotFound, Message: "The resource you requested was not found."}
}

func methodNotAllowed(method string) *apiError {
	return &apiError{Status: http.StatusMethodNotAllowed, Message: fmt.Sprintf("The requested resource does not support http method '%s'.", method)}
}

func unauthorized(msg string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Message: msg}
}

// serverFault is the 500 a real server gives for an unhandled fault.
func serverFault() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Message: msgNullReference}
}

// asAPIError turns any error into an apiError; unknown errors become 500s
// whose text is not shown to the client (it might hold internal detail).
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return serverFault()
}
