#include "client_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <system_error>

namespace prism::server {
namespace {

// "127.0.0.1" or "::1" and the port, as httplib writes a request's addresses.
bool address_is(const sockaddr_storage& a, const std::string& host, int port) {
    char text[INET6_ADDRSTRLEN] = {};
    int a_port = -1;
    if (a.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
        inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
        a_port = ntohs(v4.sin_port);
    } else if (a.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
        inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
        a_port = ntohs(v6.sin6_port);
    } else {
        return false;
    }
    return a_port == port && (host.empty() || host == text);
}

}  // namespace

std::optional<ClientConnection> ClientConnection::find(const std::string& remote_addr,
                                                       int remote_port, int local_port) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        const std::string name = entry.path().filename().string();
        int fd = -1;
        const auto [end, parse] = std::from_chars(name.data(), name.data() + name.size(), fd);
        if (parse != std::errc() || end != name.data() + name.size()) continue;
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
        sockaddr_storage peer{}, self{};
        socklen_t peer_size = sizeof peer, self_size = sizeof self;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &self_size) != 0) continue;
        if (address_is(peer, remote_addr, remote_port) && address_is(self, {}, local_port))
            return ClientConnection(fd);
    }
    return std::nullopt;
}

bool ClientConnection::gone() const {
    char byte = 0;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return false;
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace prism::server
