// Cluster mode: the settings and names shared by the driver, executors and the
// launchers, without any gRPC type (so this header is cheap to include).
//
// Executor mode. A process becomes an executor when EMBER_EXECUTOR_DRIVER_URL is set
// in its environment; it then serves tasks of that driver until the driver stops it or
// is gone, and exits (cluster/executor_backend.h). The variables:
//   EMBER_EXECUTOR_DRIVER_URL   host:port of the driver's RPC service (required)
//   EMBER_EXECUTOR_ID           the id the driver asked for; empty = assigned by it
//   EMBER_EXECUTOR_AUTH_SECRET  ember.authenticate.secret, when authentication is on
//   EMBER_EXECUTOR_TASK_SLOTS   task slots (default 1)
//   EMBER_EXECUTOR_MEMORY_MB    executor memory in MiB (default 1024)
//   EMBER_EXECUTOR_HOST         address other processes use to reach it (default: the
//                               bind address, 127.0.0.1)
//   EMBER_EXECUTOR_BIND_ADDRESS where its RPC service listens (default 127.0.0.1)
//   EMBER_EXECUTOR_PARENT_PID   set by local launchers: the executor dies with it
// The secret travels in the environment rather than on the command line, where other
// users of the machine could read it.
#pragma once

#include <cstdint>
#include <string>

namespace ember {

class Config;

namespace cluster {

// Version of proto/ember.proto; the driver refuses executors with another one.
// 2: Executor.RemoveBlocks (executor-side cleanup) and Executor.KillTask (speculation).
// 3: a stage's payload is sent once per executor (TaskDescription.payload_id).
inline constexpr uint32_t kProtocolVersion = 3;

inline constexpr const char* kEnvDriverUrl = "EMBER_EXECUTOR_DRIVER_URL";
inline constexpr const char* kEnvExecutorId = "EMBER_EXECUTOR_ID";
inline constexpr const char* kEnvSecret = "EMBER_EXECUTOR_AUTH_SECRET";
inline constexpr const char* kEnvSlots = "EMBER_EXECUTOR_TASK_SLOTS";
inline constexpr const char* kEnvMemoryMb = "EMBER_EXECUTOR_MEMORY_MB";
inline constexpr const char* kEnvHost = "EMBER_EXECUTOR_HOST";
inline constexpr const char* kEnvBindAddress = "EMBER_EXECUTOR_BIND_ADDRESS";
inline constexpr const char* kEnvParentPid = "EMBER_EXECUTOR_PARENT_PID";

// Settings of the cluster layer, read from a Config (keys registered by protocol.cpp;
// see docs/cluster.md).
struct ClusterSettings {
  bool authenticate = false;
  std::string secret;                     // required when authenticate
  std::string driverHost;                 // ember.driver.host: advertised to executors
  std::string bindAddress;                // ember.driver.bindAddress (default driverHost)
  int driverPort = 0;                     // ember.driver.port, 0 = any free port
  int64_t heartbeatMs = 1000;             // ember.executor.heartbeatInterval
  int64_t networkTimeoutMs = 30000;       // ember.network.timeout
  int64_t registrationTimeoutMs = 30000;  // ember.cluster.registrationTimeout
  int fetchMaxRetries = 3;                // ember.shuffle.io.maxRetries
  int64_t fetchRetryWaitMs = 200;         // ember.shuffle.io.retryWait
  int64_t maxBytesInFlight = 48 << 20;    // ember.reducer.maxSizeInFlight
  bool ssl = false;                       // ember.ssl.enabled
  std::string sslCertFile, sslKeyFile, sslTrustFile;

  // Throws ConfigError for inconsistent values (authentication without a secret, TLS
  // without its files).
  static ClusterSettings fromConfig(const Config& conf);
};

}  // namespace cluster
}  // namespace ember
