// The Driver RPC service: what executors call on the driver.
#include <fmt/core.h>

#include "ember/cluster/driver_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/broadcast.h"
#include "ember/core/context.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember::cluster {

grpc::Status DriverService::RegisterExecutor(grpc::ServerContext* ctx,
                                             const proto::RegisterExecutorRequest* req,
                                             proto::RegisterExecutorResponse* resp) {
  if (auto st = checkAuth(*ctx, impl_.security_, "RegisterExecutor"); !st.ok()) return st;
  if (req->protocol_version() != kProtocolVersion) {
    std::string why = fmt::format(
        "executor from {} speaks cluster protocol version {}, this driver version {}: run "
        "executors from the same Ember build as the driver",
        ctx->peer(), req->protocol_version(), kProtocolVersion);
    logWarn("refused RegisterExecutor: {}", why);
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, why);
  }
  try {
    resp->set_executor_id(impl_.registerExecutor(*req, ctx->peer()));
  } catch (const UserError& e) {
    logWarn("refused RegisterExecutor from {}: {}", ctx->peer(), e.what());
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, e.what());
  }
  resp->set_app_id(impl_.ctx_.appId());
  for (const auto& [key, value, origin] : impl_.ctx_.conf().entries(/*redact=*/false)) {
    auto* e = resp->add_conf();
    e->set_key(key);
    e->set_value(value);
  }
  return grpc::Status::OK;
}

grpc::Status DriverService::Heartbeat(grpc::ServerContext* ctx, const proto::HeartbeatRequest* req,
                                      proto::HeartbeatResponse* resp) {
  if (auto st = checkAuth(*ctx, impl_.security_, "Heartbeat"); !st.ok()) return st;
  resp->set_unknown_executor(!impl_.heartbeat(req->executor_id()));
  return grpc::Status::OK;
}

grpc::Status DriverService::StatusUpdate(grpc::ServerContext* ctx,
                                         const proto::StatusUpdateRequest* req, proto::Empty*) {
  if (auto st = checkAuth(*ctx, impl_.security_, "StatusUpdate"); !st.ok()) return st;
  impl_.heartbeat(req->executor_id());  // a report is as good as a heartbeat
  impl_.statusUpdate(*req);
  return grpc::Status::OK;
}

grpc::Status DriverService::GetMapStatuses(grpc::ServerContext* ctx,
                                           const proto::MapStatusesRequest* req,
                                           proto::MapStatusesResponse* resp) {
  if (auto st = checkAuth(*ctx, impl_.security_, "GetMapStatuses"); !st.ok()) return st;
  std::vector<std::optional<MapStatus>> statuses;
  try {
    statuses = impl_.tracker_.statuses(req->shuffle_id());
  } catch (const InternalError&) {
    return grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        fmt::format("shuffle {} is not known to the driver (cleaned up?)", req->shuffle_id()));
  }
  resp->set_num_maps(static_cast<int32_t>(statuses.size()));
  std::lock_guard lock(impl_.mutex_);
  for (size_t m = 0; m < statuses.size(); ++m) {
    if (!statuses[m]) continue;
    // Outputs of an executor lost meanwhile count as missing (the reducer's fetch
    // failure makes the scheduler recompute them).
    auto e = impl_.executors_.find(statuses[m]->executorId);
    if (e == impl_.executors_.end()) continue;
    auto* loc = resp->add_maps();
    loc->set_map_id(static_cast<int32_t>(m));
    loc->set_address(e->second->address);
    toProto(*statuses[m], loc->mutable_status());
  }
  return grpc::Status::OK;
}

grpc::Status DriverService::FetchBroadcast(grpc::ServerContext* ctx,
                                           const proto::BroadcastRequest* req,
                                           grpc::ServerWriter<proto::Chunk>* writer) {
  if (auto st = checkAuth(*ctx, impl_.security_, "FetchBroadcast"); !st.ok()) return st;
  std::string bytes;
  try {
    bytes = BroadcastManager::global().bytes(req->broadcast_id());
  } catch (const UserError& e) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, e.what());
  }
  size_t off = 0;
  do {
    proto::Chunk c;
    size_t n = std::min(kChunkBytes, bytes.size() - off);
    c.set_data(bytes.data() + off, n);
    if (off == 0) c.set_total_size(bytes.size());
    if (!writer->Write(c)) return grpc::Status(grpc::StatusCode::CANCELLED, "reader went away");
    off += n;
  } while (off < bytes.size());
  return grpc::Status::OK;
}

}  // namespace ember::cluster
