// Dropping TCP connections that cpp-httplib accepted.
//
// cpp-httplib offers no way to close a connection without answering, and it
// keeps idle keep-alive connections open for seconds after stop(). The
// stand-in needs both (the "closed connection" fault; a prompt Stop()), so it
// finds the accepted sockets among this process's descriptors by their
// ports and shuts them down. shutdown() (not close()) leaves the descriptor
// to cpp-httplib, which closes it when its read or write fails.
#pragma once

namespace jiralink::standin::internal {

// Shuts down every connected socket of this process whose local port is
// `server_port` and whose peer port is `peer_port` (-1 = any peer).
// Returns how many sockets were shut down.
int ShutdownAcceptedConnections(int server_port, int peer_port);

}  // namespace jiralink::standin::internal
