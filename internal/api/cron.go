package api

import "github.com/ward-sec/ward/internal/cron"

// checkCron validates a task schedule with the parser the server's
// scheduler evaluates it with (see package cron for the grammar), so that
// every schedule the API accepts is one the scheduler can run.
func checkCron(expr string) error {
	_, err := cron.Parse(expr)
	return err
}
