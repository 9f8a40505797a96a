// Package logerr logs the errors of application code the same way wherever
// sheen runs it: a recovered panic with its value and the stack where it
// happened, any other error as an error.
package logerr

import (
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/reactive"
)

// Log logs err at error level. what names the work that failed, such as
// "sheen: rendering an output"; the message is what followed by "panicked"
// for a [reactive.PanicError] (with the panic value, the calc or effect it
// happened in, the whole error if it wraps the panic, and the stack as fields)
// and by "failed" for any other error (with the error as a field).
func Log(log *zap.Logger, what string, err error, fields ...zap.Field) {
	var pe *reactive.PanicError
	if errors.As(err, &pe) {
		fields = append(fields, zap.String("panic", fmt.Sprint(pe.Value)))
		if pe.Label != "" { // the calc or effect that panicked
			fields = append(fields, zap.String("in", pe.Label))
		}
		if err != error(pe) { // wrapped: by the effect that read the calc
			fields = append(fields, zap.String("error", err.Error()))
		}
		log.Error(what+" panicked", append(fields, zap.ByteString("stack", pe.Stack))...)
		return
	}
	log.Error(what+" failed", append(fields, zap.Error(err))...)
}
