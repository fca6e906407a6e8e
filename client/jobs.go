package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// mutation is what a finished POST/PATCH/DELETE told the client.
type mutation struct {
	records  []json.RawMessage // with return_records=true: the affected objects
	location string            // the Location header, if any
}

// record decodes the first returned record into out and reports whether
// there was one that decoded.
func (m *mutation) record(out any) bool {
	return len(m.records) > 0 && json.Unmarshal(m.records[0], out) == nil
}

// maxReturnTimeout caps the return_timeout a create sends (ONTAP allows
// up to 120 s; 30 s is what Ansible uses). It must stay well below the
// default transport's response-header timeout.
const maxReturnTimeout = 30 * time.Second

// create POSTs a new object. It asks for the record (return_records) and
// lets the server wait for the job (return_timeout, up to the poll timeout
// and maxReturnTimeout): a job that finishes in time is answered with the
// created record, so its UUID comes with the answer instead of from a
// later lookup by name, which a concurrent rename or delete could fool. A
// job that takes longer is polled as usual.
func (c *Client) create(ctx context.Context, path string, body any) (*mutation, error) {
	q := url.Values{"return_records": {"true"}}
	if t := min(c.pollTimeout, maxReturnTimeout) / time.Second; t > 0 {
		q.Set("return_timeout", strconv.Itoa(int(t)))
	}
	return c.mutate(ctx, http.MethodPost, path, q, body)
}

// mutate sends a POST, PATCH or DELETE and, when the answer carries a job
// link (202, or 200/201 after return_timeout), waits for the job. It
// returns once the change is done: a failed job is an *APIError just like
// a synchronous 4xx.
func (c *Client) mutate(ctx context.Context, method, ref string, query url.Values, body any) (*mutation, error) {
	r, err := c.send(ctx, method, ref, query, body)
	if err != nil {
		return nil, err
	}
	if r.status/100 != 2 {
		return nil, r.apiError()
	}
	m := &mutation{location: r.header.Get("Location")}
	var mr mutationResponse
	if len(r.body) > 0 { // ONTAP answers {} at least; tolerate nothing at all
		if err := r.decode(&mr); err != nil {
			return nil, err
		}
	}
	m.records = mr.Records
	if mr.Job != nil {
		if err := c.wait(ctx, method, r.path, mr.Job); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// wait polls a job until it succeeds or fails, the poll timeout passes or
// ctx ends. The first poll is immediate: most jobs are short.
func (c *Client) wait(ctx context.Context, method, path string, link *wireJobLink) error {
	ref := ""
	if link.Links.Self != nil {
		ref = link.Links.Self.Href
	}
	if ref == "" {
		if link.UUID == "" {
			return &internalError{fmt.Errorf("%s %s: job link has neither uuid nor _links.self", method, path)}
		}
		ref = "/api/cluster/jobs/" + url.PathEscape(link.UUID)
	}
	var state string
	err := c.poll(ctx, func() (bool, error) {
		var job wireJob
		if err := c.get(ctx, ref, nil, &job); err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			// The job could not be read (a 404 here means the job is gone,
			// not the volume): the operation's fate is unknown, which is
			// the server's failure, never the caller's.
			return false, &internalError{fmt.Errorf("%s %s: polling job %s: %w", method, path, link.UUID, err)}
		}
		state = job.State
		switch job.State {
		case "success":
			return true, nil
		case "failure":
			return true, jobFailure(method, path, link.UUID, &job)
		}
		return false, nil // queued, running, paused
	})
	if err == errPollTimeout {
		return &internalError{fmt.Errorf("%s %s: job %s still %q after %v; it may yet finish",
			method, path, link.UUID, state, c.pollTimeout)}
	}
	return err
}

// errPollTimeout is poll's report that the condition never held.
var errPollTimeout = errors.New("poll timeout")

// poll calls check at once and then every poll interval until it reports
// done or an error, ctx ends (ctx.Err()) or the poll timeout passes
// (errPollTimeout).
func (c *Client) poll(ctx context.Context, check func() (done bool, err error)) error {
	deadline := time.Now().Add(c.pollTimeout)
	timer := time.NewTimer(c.pollInterval)
	defer timer.Stop()
	for {
		done, err := check()
		if done || err != nil {
			return err
		}
		if !time.Now().Before(deadline) {
			return errPollTimeout
		}
		timer.Reset(c.pollInterval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// jobFailure turns a failed job into the error a synchronous failure would
// have been. ONTAP puts the code in error.code (a string) and, as an
// integer, in the job's code.
func jobFailure(method, path, uuid string, job *wireJob) *APIError {
	if uuid == "" {
		uuid = job.UUID
	}
	e := &APIError{Method: method, Path: path, Job: uuid, Code: string(job.Code), Message: job.Message}
	if job.Error != nil {
		if job.Error.Code.isSet() {
			e.Code = string(job.Error.Code)
		}
		if job.Error.Message != "" {
			e.Message = job.Error.Message
		}
		e.Target = job.Error.Target
	}
	if e.Code == "0" {
		e.Code = ""
	}
	return e
}
