//go:build cgo

// The per-thread reply buffer. nessie_call_tls is nessie_call with a
// buffer that belongs to the calling OS thread, which saves the caller
// (ctypes, where each argument costs about 100 ns) two arguments on every
// call. The buffer is allocated on the thread's first use and freed when
// the thread exits. Owning it here, per OS thread, rather than letting
// each caller register one keeps it right for callers that multiplex
// several logical threads onto one OS thread (greenlets).

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include "_cgo_export.h"

enum { reply_cap = 64 * 1024 };

static pthread_key_t reply_key;
static pthread_once_t reply_once = PTHREAD_ONCE_INIT;
static __thread char *reply_buf;

static void make_reply_key(void) {
	pthread_key_create(&reply_key, free);
}

char *nessie_thread_buffer(int64_t *cap) {
	if (reply_buf == NULL) {
		pthread_once(&reply_once, make_reply_key);
		reply_buf = malloc(reply_cap);
		if (reply_buf != NULL) {
			pthread_setspecific(reply_key, reply_buf);
		}
	}
	if (cap != NULL) {
		*cap = reply_buf != NULL ? reply_cap : 0;
	}
	return reply_buf;
}

int64_t nessie_call_tls(uintptr_t h, char *request) {
	char *buf = nessie_thread_buffer(NULL);
	if (buf == NULL) {
		return INT64_MIN;
	}
	return nessie_call(h, request, buf, reply_cap);
}
