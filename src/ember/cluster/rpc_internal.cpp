#include "ember/cluster/rpc_internal.h"

#include <fstream>
#include <sstream>

#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember::cluster {

namespace {
std::string readPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read TLS file " + path + " (ember.ssl.*File)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Constant time in the length of the expected secret: no early exit on a mismatch.
bool sameSecret(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}
}  // namespace

RpcSecurity RpcSecurity::fromSettings(const ClusterSettings& s) {
  RpcSecurity sec;
  if (s.authenticate) sec.secret = s.secret;
  sec.ssl = s.ssl;
  sec.certFile = s.sslCertFile;
  sec.keyFile = s.sslKeyFile;
  sec.trustFile = s.sslTrustFile;
  return sec;
}

grpc::Status checkAuth(const grpc::ServerContext& ctx, const RpcSecurity& sec, const char* method) {
  if (sec.secret.empty()) return grpc::Status::OK;
  const auto& md = ctx.client_metadata();
  auto it = md.find(kSecretMetadataKey);
  if (it != md.end() &&
      sameSecret(std::string_view(it->second.data(), it->second.size()), sec.secret))
    return grpc::Status::OK;
  logWarn("refused {} from {}: {} (ember.authenticate is on)", method, ctx.peer(),
          it == md.end() ? "no secret" : "wrong secret");
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "refused: missing or wrong secret (set ember.authenticate.secret to the "
                      "driver's secret)");
}

std::unique_ptr<grpc::ClientContext> clientContext(const RpcSecurity& sec, int64_t timeoutMs) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!sec.secret.empty()) ctx->AddMetadata(kSecretMetadataKey, sec.secret);
  if (timeoutMs > 0)
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeoutMs));
  return ctx;
}

std::shared_ptr<grpc::Channel> makeChannel(const std::string& address, const RpcSecurity& sec) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // Reconnect quickly after a peer restarts or a transient failure (the default backoff
  // grows to minutes, longer than a task retry).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (sec.ssl) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = readPem(sec.trustFile);
    o.pem_cert_chain = readPem(sec.certFile);
    o.pem_private_key = readPem(sec.keyFile);
    creds = grpc::SslCredentials(o);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateCustomChannel(address, creds, args);
}

std::unique_ptr<grpc::Server> startServer(const std::string& address, const RpcSecurity& sec,
                                          std::initializer_list<grpc::Service*> services,
                                          int* boundPort) {
  grpc::ServerBuilder b;
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (sec.ssl) {
    grpc::SslServerCredentialsOptions o;
    o.pem_key_cert_pairs.push_back({readPem(sec.keyFile), readPem(sec.certFile)});
    creds = grpc::SslServerCredentials(o);
  } else {
    creds = grpc::InsecureServerCredentials();
  }
  b.AddListeningPort(address, creds, boundPort);
  b.SetMaxReceiveMessageSize(-1);
  b.SetMaxSendMessageSize(-1);
  for (auto* s : services) b.RegisterService(s);
  auto server = b.BuildAndStart();
  if (!server || *boundPort == 0)
    throw IoError("cannot listen on " + address +
                  " for cluster RPCs (address in use or not local? see ember.driver.bindAddress, "
                  "ember.driver.port)");
  return server;
}

std::string statusText(const grpc::Status& s) {
  static const char* names[] = {"OK",
                                "CANCELLED",
                                "UNKNOWN",
                                "INVALID_ARGUMENT",
                                "DEADLINE_EXCEEDED",
                                "NOT_FOUND",
                                "ALREADY_EXISTS",
                                "PERMISSION_DENIED",
                                "RESOURCE_EXHAUSTED",
                                "FAILED_PRECONDITION",
                                "ABORTED",
                                "OUT_OF_RANGE",
                                "UNIMPLEMENTED",
                                "INTERNAL",
                                "UNAVAILABLE",
                                "DATA_LOSS",
                                "UNAUTHENTICATED"};
  int code = static_cast<int>(s.error_code());
  std::string name = code >= 0 && code <= 16 ? names[code] : std::to_string(code);
  return name + ": " + s.error_message();
}

void toProto(const TaskMetrics& m, proto::TaskMetrics* out) {
  out->set_run_time_ns(m.runTimeNs);
  out->set_records_read(m.recordsRead);
  out->set_bytes_read(m.bytesRead);
  out->set_records_written(m.recordsWritten);
  out->set_bytes_written(m.bytesWritten);
  out->set_shuffle_records_read(m.shuffleRecordsRead);
  out->set_shuffle_bytes_read(m.shuffleBytesRead);
  out->set_shuffle_records_written(m.shuffleRecordsWritten);
  out->set_shuffle_bytes_written(m.shuffleBytesWritten);
  out->set_memory_bytes_spilled(m.memoryBytesSpilled);
  out->set_disk_bytes_spilled(m.diskBytesSpilled);
  out->set_result_bytes(m.resultBytes);
  out->set_peak_execution_memory(m.peakExecutionMemory);
}

TaskMetrics fromProto(const proto::TaskMetrics& p) {
  TaskMetrics m;
  m.runTimeNs = p.run_time_ns();
  m.recordsRead = p.records_read();
  m.bytesRead = p.bytes_read();
  m.recordsWritten = p.records_written();
  m.bytesWritten = p.bytes_written();
  m.shuffleRecordsRead = p.shuffle_records_read();
  m.shuffleBytesRead = p.shuffle_bytes_read();
  m.shuffleRecordsWritten = p.shuffle_records_written();
  m.shuffleBytesWritten = p.shuffle_bytes_written();
  m.memoryBytesSpilled = p.memory_bytes_spilled();
  m.diskBytesSpilled = p.disk_bytes_spilled();
  m.resultBytes = p.result_bytes();
  m.peakExecutionMemory = p.peak_execution_memory();
  return m;
}

void toProto(const MapStatus& m, proto::MapStatus* out) {
  out->set_executor_id(m.executorId);
  out->set_data_path(m.dataPath);
  out->set_index_path(m.indexPath);
  out->mutable_partition_sizes()->Assign(m.partitionSizes.begin(), m.partitionSizes.end());
}

MapStatus fromProto(const proto::MapStatus& p) {
  MapStatus m;
  m.executorId = p.executor_id();
  m.dataPath = p.data_path();
  m.indexPath = p.index_path();
  m.partitionSizes.assign(p.partition_sizes().begin(), p.partition_sizes().end());
  return m;
}

void toProto(const TaskResult& r, proto::TaskStatus* out) {
  out->set_task_id(r.taskId);
  switch (r.outcome) {
    case TaskOutcome::Success:
      out->set_outcome(proto::TASK_OUTCOME_SUCCESS);
      break;
    case TaskOutcome::Failed:
      out->set_outcome(proto::TASK_OUTCOME_FAILED);
      break;
    case TaskOutcome::FetchFailed:
      out->set_outcome(proto::TASK_OUTCOME_FETCH_FAILED);
      break;
    case TaskOutcome::Killed:
      out->set_outcome(proto::TASK_OUTCOME_KILLED);
      break;
  }
  out->set_error(r.error);
  out->set_deterministic_error(r.deterministicError);
  out->set_fetch_shuffle_id(r.fetchShuffleId);
  out->set_fetch_map_id(r.fetchMapId);
  toProto(r.mapStatus, out->mutable_map_status());
  out->set_result(r.resultBytes);
  toProto(r.metrics, out->mutable_metrics());
  for (const auto& [id, bytes] : r.accumulatorUpdates) {
    auto* u = out->add_accumulator_updates();
    u->set_id(id);
    u->set_value(bytes);
  }
}

void fillResult(const proto::TaskStatus& s, TaskResult& r) {
  switch (s.outcome()) {
    case proto::TASK_OUTCOME_SUCCESS:
      r.outcome = TaskOutcome::Success;
      break;
    case proto::TASK_OUTCOME_FETCH_FAILED:
      r.outcome = TaskOutcome::FetchFailed;
      break;
    case proto::TASK_OUTCOME_KILLED:
      r.outcome = TaskOutcome::Killed;
      break;
    default:
      r.outcome = TaskOutcome::Failed;
      break;
  }
  r.error = s.error();
  r.deterministicError = s.deterministic_error();
  r.fetchShuffleId = s.fetch_shuffle_id();
  r.fetchMapId = s.fetch_map_id();
  r.mapStatus = fromProto(s.map_status());
  r.resultBytes = s.result();
  r.metrics = fromProto(s.metrics());
  for (const auto& u : s.accumulator_updates())
    r.accumulatorUpdates.emplace_back(u.id(), u.value());
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ember::cluster
