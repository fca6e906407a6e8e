// Package shutdown checks that `nessie serve` stops gracefully under load
// and restarts as the same cluster:
//
//   - requests in flight when shutdown begins finish with a complete
//     answer, later ones fail at the connection level (refused, or a
//     closed idle connection) and never as a truncated or 5xx answer, and
//     daemon.Run returns nil;
//   - nothing acknowledged is lost and nothing refused is applied: with
//     the daemon's shutdown sequence (http.Server.Shutdown, then the REST
//     server's Close) over a backend the test can inspect, every
//     acknowledged create is there, every acknowledged delete is gone,
//     and no request that failed at the connection level took effect;
//   - a restart on the same data directory presents the same cluster,
//     node, SVM, aggregate and interface UUIDs and the same TLS
//     certificate, so clients that cache them or pin it keep working.
package shutdown
