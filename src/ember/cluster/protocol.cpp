#include "ember/cluster/protocol.h"

#include "ember/common/config.h"
#include "ember/common/errors.h"

namespace ember::cluster {

namespace {
// Registered at static-initialisation time, before any Config is loaded.
const bool kKeysRegistered = [] {
  for (ConfigEntry e : std::initializer_list<ConfigEntry>{
           {"ember.authenticate", "false",
            "Require the shared secret ember.authenticate.secret on every cluster RPC."},
           {"ember.authenticate.secret", "",
            "The shared secret of ember.authenticate (local-cluster makes one up if empty)."},
           {"ember.driver.host", "127.0.0.1",
            "Address executors use to reach the driver's RPC service."},
           {"ember.driver.bindAddress", "",
            "Address the driver's RPC service listens on; empty = ember.driver.host."},
           {"ember.driver.port", "0", "Port of the driver's RPC service; 0 = any free port."},
           {"ember.executor.heartbeatInterval", "1s", "How often executors report to the driver."},
           {"ember.network.timeout", "30s",
            "An executor silent for this long is lost; also the deadline of cluster RPCs."},
           {"ember.cluster.registrationTimeout", "30s",
            "How long a new context waits for its executors to register."},
           {"ember.shuffle.io.maxRetries", "3",
            "Retries of a failed remote shuffle block fetch before it is a fetch failure."},
           {"ember.shuffle.io.retryWait", "200ms", "Wait between shuffle fetch retries."},
           {"ember.reducer.maxSizeInFlight", "48m",
            "Most bytes of remote shuffle blocks a reduce task has requested and not yet "
            "received (its fetches from several executors run in parallel within it)."},
           {"ember.ssl.enabled", "false", "Encrypt cluster RPCs with TLS."},
           {"ember.ssl.certFile", "", "PEM certificate chain of this process (TLS)."},
           {"ember.ssl.keyFile", "", "PEM private key of ember.ssl.certFile."},
           {"ember.ssl.trustFile", "",
            "PEM certificates trusted for peers; empty = ember.ssl.certFile (self-signed)."},
       })
    Config::registerKey(e);
  for (const char* env : {kEnvDriverUrl, kEnvExecutorId, kEnvSecret, kEnvSlots, kEnvMemoryMb,
                          kEnvHost, kEnvBindAddress, kEnvParentPid})
    Config::registerReservedEnv(env);
  return true;
}();
}  // namespace

ClusterSettings ClusterSettings::fromConfig(const Config& conf) {
  (void)kKeysRegistered;
  ClusterSettings s;
  s.authenticate = conf.getBool("ember.authenticate");
  s.secret = conf.get("ember.authenticate.secret");
  s.driverHost = conf.get("ember.driver.host");
  s.bindAddress = conf.get("ember.driver.bindAddress");
  if (s.bindAddress.empty()) s.bindAddress = s.driverHost;
  int64_t port = conf.getInt("ember.driver.port");
  if (port < 0 || port > 65535)
    throw ConfigError("ember.driver.port must be between 0 and 65535, got " + std::to_string(port));
  s.driverPort = static_cast<int>(port);
  s.heartbeatMs = conf.getDurationMs("ember.executor.heartbeatInterval");
  s.networkTimeoutMs = conf.getDurationMs("ember.network.timeout");
  if (s.heartbeatMs <= 0 || s.networkTimeoutMs <= s.heartbeatMs)
    throw ConfigError("ember.network.timeout (" + std::to_string(s.networkTimeoutMs) +
                      " ms) must be longer than ember.executor.heartbeatInterval (" +
                      std::to_string(s.heartbeatMs) + " ms), which must be positive");
  s.registrationTimeoutMs = conf.getDurationMs("ember.cluster.registrationTimeout");
  s.fetchMaxRetries = static_cast<int>(conf.getInt("ember.shuffle.io.maxRetries"));
  if (s.fetchMaxRetries < 0) throw ConfigError("ember.shuffle.io.maxRetries must be at least 0");
  s.fetchRetryWaitMs = conf.getDurationMs("ember.shuffle.io.retryWait");
  s.maxBytesInFlight = conf.getBytes("ember.reducer.maxSizeInFlight");
  if (s.maxBytesInFlight <= 0)
    throw ConfigError("ember.reducer.maxSizeInFlight must be positive (e.g. 48m)");
  s.ssl = conf.getBool("ember.ssl.enabled");
  s.sslCertFile = conf.get("ember.ssl.certFile");
  s.sslKeyFile = conf.get("ember.ssl.keyFile");
  s.sslTrustFile = conf.get("ember.ssl.trustFile");
  if (s.sslTrustFile.empty()) s.sslTrustFile = s.sslCertFile;
  if (s.ssl && (s.sslCertFile.empty() || s.sslKeyFile.empty()))
    throw ConfigError(
        "ember.ssl.enabled=true needs ember.ssl.certFile and ember.ssl.keyFile (PEM files)");
  return s;
}

}  // namespace ember::cluster
