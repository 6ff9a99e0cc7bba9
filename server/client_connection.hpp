#pragma once

// Whether the client of a request still waits for its answer. cpp-httplib (0.11, Debian 12)
// tells a handler nothing about its connection, and notices a client that left only when an
// answer fails to send: for a request whose answer takes long (a transcription, a non-streamed
// generation) that is after all the work. The connection's socket is found by its two
// addresses, which no other open connection shares, and peeked at without reading from it.

#include <optional>
#include <string>

namespace prism::server {

class ClientConnection {
  public:
    // The open connection from remote_addr:remote_port to local_port, or nullopt when none is
    // found (then the caller cannot tell, and waits for the work to end).
    static std::optional<ClientConnection> find(const std::string& remote_addr, int remote_port,
                                                int local_port);

    // The client closed (or reset) its side. Bytes waiting to be read (a next request on a
    // kept-alive connection) mean it is still there.
    bool gone() const;

  private:
    explicit ClientConnection(int fd) : fd_(fd) {}
    int fd_;  // owned by the HTTP server's connection thread, open while its handler runs
};

}  // namespace prism::server
