// Private to src/ember/cluster/*.cpp: the generated protocol code and the helpers every
// RPC uses (authentication, channels, conversions between engine and wire types).
// Never include this from a header outside this folder: it pulls in gRPC.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "ember.grpc.pb.h"
#include "ember.pb.h"
#include "ember/cluster/protocol.h"
#include "ember/core/task.h"

namespace ember::cluster {

inline constexpr const char* kSecretMetadataKey = "x-ember-secret";
// Shuffle blocks and broadcast values are streamed in chunks of this size.
inline constexpr size_t kChunkBytes = 256 * 1024;
// Stage payloads an executor keeps (by TaskDescription.payload_id), and how many of the
// latest sent to it the driver assumes it has: a task whose payload is not among those
// carries the bytes again. The window must stay below the cache.
inline constexpr size_t kExecutorPayloadCache = 64;
inline constexpr size_t kDriverPayloadWindow = 32;
static_assert(kDriverPayloadWindow < kExecutorPayloadCache);

// What every RPC of one process needs to reach or serve its peers.
struct RpcSecurity {
  std::string secret;  // empty: authentication off
  bool ssl = false;
  std::string certFile, keyFile, trustFile;
  static RpcSecurity fromSettings(const ClusterSettings& s);
};

// Checks the caller's secret (constant-time compare); on failure logs who was refused
// and returns UNAUTHENTICATED, which handlers return as is.
grpc::Status checkAuth(const grpc::ServerContext& ctx, const RpcSecurity& sec, const char* method);
// A client context carrying the secret, with a deadline `timeoutMs` from now (0: none).
std::unique_ptr<grpc::ClientContext> clientContext(const RpcSecurity& sec, int64_t timeoutMs);
// A channel to "host:port" (TLS when configured), without message size limits: task
// results and payloads can be larger than gRPC's 4 MiB default.
std::shared_ptr<grpc::Channel> makeChannel(const std::string& address, const RpcSecurity& sec);
// Starts a server on "address" (port 0 = any free port) with `services`; `boundPort`
// receives the port. Throws IoError naming the address when it cannot listen.
std::unique_ptr<grpc::Server> startServer(const std::string& address, const RpcSecurity& sec,
                                          std::initializer_list<grpc::Service*> services,
                                          int* boundPort);
// "UNAVAILABLE: failed to connect to all addresses" etc.
std::string statusText(const grpc::Status& s);

void toProto(const TaskMetrics& m, proto::TaskMetrics* out);
TaskMetrics fromProto(const proto::TaskMetrics& m);
void toProto(const MapStatus& m, proto::MapStatus* out);
MapStatus fromProto(const proto::MapStatus& m);
// Executor side: a finished task as reported to the driver.
void toProto(const TaskResult& r, proto::TaskStatus* out);
// Driver side: fills the outcome fields of `r` (ids come from the launched task).
void fillResult(const proto::TaskStatus& s, TaskResult& r);

int64_t nowMs();

}  // namespace ember::cluster
