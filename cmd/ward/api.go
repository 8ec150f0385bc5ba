package main

import (
	"context"
	"net/http"
	"time"

	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/server"
)

// apiHandler mounts the JSON API on a running server: task creation
// dispatches runs to agents, agent revocation cuts their connections.
func apiHandler(s *server.Server) (http.Handler, error) { return apiHandlerWith(s) }

// apiHandlerWith is apiHandler with capabilities' options added.
func apiHandlerWith(s *server.Server, extra ...func(*api.Options)) (http.Handler, error) {
	o := api.Options{
		CAFingerprint: s.CAFingerprint(),
		OnTaskCreated: func(_ context.Context, taskID int64) {
			// Not on the request's context: dispatch outlives the response.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_ = s.SendQueued(ctx, taskID)
			}()
		},
		OnRevoke:         s.CutOff,
		KeepSecretParams: s.KeepSecretParams,
		TaskTypes:        serverTaskTypes(),
		Log:              s.Logger(),
	}
	for _, f := range extra {
		f(&o)
	}
	return api.New(s.Store, o), nil
}
