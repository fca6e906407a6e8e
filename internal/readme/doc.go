// Package readme holds the tests that keep the README's Go snippets true:
// each snippet must appear, line for line, in a test file that compiles
// and runs with the module's tests.
package readme
