package octopus

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tasks"
)

// maxIDsPerRequest keeps a batched task query's URL well under common
// server limits; the official TypeScript client batches 300 at a time.
const maxIDsPerRequest = 300

// Tasks reads many tasks with one request per 300 IDs.
func (c *Client) Tasks(ctx context.Context, ids []string) ([]Task, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	out := make([]Task, 0, len(ids))
	for start := 0; start < len(ids); start += maxIDsPerRequest {
		batch := ids[start:min(start+maxIDsPerRequest, len(ids))]
		type page struct {
			Items []*tasks.Task `json:"Items"`
		}
		res, err := get[page](ctx, c, "reading tasks", "/api/tasks?take="+strconv.Itoa(len(batch))+"&ids="+url.QueryEscape(strings.Join(batch, ",")))
		if err != nil {
			return nil, err
		}
		for _, t := range res.Items {
			out = append(out, c.task(t))
		}
	}
	return out, nil
}

// TaskState reads one task's state.
func (c *Client) TaskState(ctx context.Context, taskID string) (TaskState, error) {
	ts, err := c.Tasks(ctx, []string{taskID})
	if err != nil {
		return "", err
	}
	for _, t := range ts {
		if t.ID == taskID {
			return t.State, nil
		}
	}
	return "", fmt.Errorf("reading task %s: the server has no such task", taskID)
}

func (c *Client) task(t *tasks.Task) Task {
	state := TaskState(t.State)
	if !state.Done() && t.HasPendingInterruptions {
		state = StateAwaitingIntervention
	}
	if state == "Cancelling" {
		state = StateExecuting
	}
	out := Task{ID: t.ID, State: state, ErrorMessage: t.ErrorMessage, Started: parseTime(t.StartTime),
		Completed: parseTime(t.CompletedTime), URL: c.TaskURL(t.ID)}
	if !out.Started.IsZero() {
		end := out.Completed
		if end.IsZero() {
			end = time.Now()
		}
		out.Duration = end.Sub(out.Started)
	}
	return out
}

// TaskErrors returns the last error lines of a task's log, oldest first.
func (c *Client) TaskErrors(ctx context.Context, taskID string, max int) ([]string, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	d, err := tasks.GetDetails(c.with(ctx), c.info.SpaceID, taskID)
	if err != nil {
		return nil, c.wrap(ctx, "reading the log of "+taskID, err)
	}
	var lines []string
	var walk func([]*tasks.ActivityElement)
	walk = func(es []*tasks.ActivityElement) {
		for _, e := range es {
			for _, l := range e.LogElements {
				if l.Category == "Error" || l.Category == "Fatal" {
					lines = append(lines, l.MessageText)
				}
			}
			walk(e.Children)
		}
	}
	walk(d.ActivityLogs)
	if len(lines) > max {
		lines = lines[len(lines)-max:]
	}
	return lines, nil
}

// CancelTask asks the server to cancel a task.
func (c *Client) CancelTask(ctx context.Context, taskID string) error {
	if err := c.connect(ctx); err != nil {
		return err
	}
	_, err := tasks.Cancel(c.with(ctx), c.info.SpaceID, taskID)
	return c.wrap(ctx, "cancelling "+taskID, err)
}
