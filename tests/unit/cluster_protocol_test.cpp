// Cluster layer: wire conversions, master URLs, and RPC authentication against a real
// local-cluster driver (its executor is this test binary in executor mode).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ember/cluster/rpc_internal.h"
#include "ember/ember.h"

namespace ember::cluster {
namespace {

TEST(ClusterProtocol, TaskStatusRoundTrip) {
  TaskResult r;
  r.taskId = 42;
  r.outcome = TaskOutcome::FetchFailed;
  r.error = "fetch failed: shuffle 3";
  r.fetchShuffleId = 3;
  r.fetchMapId = 7;
  r.mapStatus =
      MapStatus{"exec-1", "/d/shuffle_3_7.data", "/d/shuffle_3_7.index", {0, 5, 1u << 31}};
  r.resultBytes = std::string("a\0b", 3);
  r.metrics.runTimeNs = 123;
  r.metrics.shuffleBytesRead = 9;
  r.metrics.peakExecutionMemory = 77;
  r.accumulatorUpdates = {{1, "x"}, {5, std::string("\0\1", 2)}};
  proto::TaskStatus wire;
  toProto(r, &wire);
  proto::TaskStatus parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
  TaskResult back;
  fillResult(parsed, back);
  EXPECT_EQ(back.outcome, TaskOutcome::FetchFailed);
  EXPECT_EQ(back.error, r.error);
  EXPECT_EQ(back.fetchShuffleId, 3);
  EXPECT_EQ(back.fetchMapId, 7);
  EXPECT_EQ(back.mapStatus, r.mapStatus);
  EXPECT_EQ(back.resultBytes, r.resultBytes);
  EXPECT_EQ(back.metrics.runTimeNs, 123);
  EXPECT_EQ(back.metrics.shuffleBytesRead, 9);
  EXPECT_EQ(back.metrics.peakExecutionMemory, 77);
  EXPECT_EQ(back.accumulatorUpdates, r.accumulatorUpdates);
}

TEST(ClusterProtocol, MasterUrls) {
  EXPECT_EQ(MasterSpec::parse("local-cluster[3,2,1024]").slots, 6);
  EXPECT_EQ(MasterSpec::parse("local-cluster[3,2,1024]").kind, "cluster");
  EXPECT_EQ(MasterSpec::parse("external[4]").slots, 4);
  EXPECT_EQ(MasterSpec::parse("local[2]").kind, "local");
  for (const char* bad : {"local-cluster[3,1]", "local-cluster[0,1,1]", "local-cluster[a,1,1]",
                          "local-cluster[1,1,1", "external[]", "external[1,2]"}) {
    try {
      MasterSpec::parse(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("expected"), std::string::npos) << e.what();
    }
  }
}

TEST(ClusterProtocol, SettingsNeedConsistentTimeouts) {
  Config c;
  c.set("ember.executor.heartbeatInterval", "5s");
  c.set("ember.network.timeout", "2s");
  EXPECT_THROW(ClusterSettings::fromConfig(c), ConfigError);
  Config t;
  t.set("ember.ssl.enabled", "true");
  EXPECT_THROW(ClusterSettings::fromConfig(t), ConfigError);
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The executor of this local cluster is this test binary re-run with the same command
// line (gtest filter included), which turns into an executor at its Context.
TEST(ClusterAuth, EveryDriverRpcNeedsTheSecret) {
  int port = freePort();
  Config c;
  c.set("ember.master", "local-cluster[1,1,256]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.authenticate", "true");
  c.set("ember.authenticate.secret", "s3cret");
  c.set("ember.driver.port", std::to_string(port));
  Context ctx(c);
  EXPECT_EQ(ctx.range(0, 1000, 1, 4).map([](int64_t x) { return x % 10; }).distinct().count(), 10);

  auto stubWith = [&](const std::string& secret) {
    RpcSecurity sec;
    sec.secret = secret;
    return std::make_pair(
        proto::Driver::NewStub(makeChannel("127.0.0.1:" + std::to_string(port), sec)), sec);
  };
  for (const std::string& secret : {std::string(""), std::string("wrong")}) {
    auto [stub, sec] = stubWith(secret);
    // clientContext adds no metadata for an empty secret: the "no secret" case.
    proto::HeartbeatRequest hb;
    hb.set_executor_id("0");
    proto::HeartbeatResponse hr;
    auto cc = clientContext(sec, 5000);
    EXPECT_EQ(stub->Heartbeat(cc.get(), hb, &hr).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    proto::MapStatusesRequest mr;
    proto::MapStatusesResponse ms;
    auto cc2 = clientContext(sec, 5000);
    EXPECT_EQ(stub->GetMapStatuses(cc2.get(), mr, &ms).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  auto [stub, sec] = stubWith("s3cret");
  proto::HeartbeatRequest hb;
  hb.set_executor_id("no-such-executor");
  proto::HeartbeatResponse hr;
  auto cc = clientContext(sec, 5000);
  ASSERT_TRUE(stub->Heartbeat(cc.get(), hb, &hr).ok());
  EXPECT_TRUE(hr.unknown_executor());
  // A peer of another protocol version is refused with a message that says so.
  proto::RegisterExecutorRequest reg;
  reg.set_protocol_version(kProtocolVersion + 1);
  reg.set_cores(1);
  proto::RegisterExecutorResponse rr;
  auto cc3 = clientContext(sec, 5000);
  grpc::Status st = stub->RegisterExecutor(cc3.get(), reg, &rr);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("protocol version"), std::string::npos) << st.error_message();
}

}  // namespace
}  // namespace ember::cluster
