// Scheduler events: what the driver reports about applications, executors, jobs, stages
// and tasks, as Spark's SparkListenerEvent family. They travel on the EventBus
// (event_bus.h) to listeners: the console progress bar, the web UI store, the event log.
//
// Events are plain values, copied into the bus queue on the task hot path: keep them
// small (no pointers to live scheduler state). Times are milliseconds since the Unix
// epoch.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace ember {

// Per-task counters, summed per stage. All zero-initialised.
struct TaskMetrics {
  int64_t runTimeNs = 0;
  int64_t recordsRead = 0;
  int64_t bytesRead = 0;
  int64_t recordsWritten = 0;
  int64_t bytesWritten = 0;
  int64_t shuffleRecordsRead = 0;
  int64_t shuffleBytesRead = 0;
  int64_t shuffleRecordsWritten = 0;
  int64_t shuffleBytesWritten = 0;
  int64_t memoryBytesSpilled = 0;
  int64_t diskBytesSpilled = 0;
  int64_t resultBytes = 0;
  int64_t peakExecutionMemory = 0;

  // Sums every counter, except peakExecutionMemory which takes the maximum (a stage's
  // peak is its largest task's peak, as in Spark's UI).
  void add(const TaskMetrics& other) {
    runTimeNs += other.runTimeNs;
    recordsRead += other.recordsRead;
    bytesRead += other.bytesRead;
    recordsWritten += other.recordsWritten;
    bytesWritten += other.bytesWritten;
    shuffleRecordsRead += other.shuffleRecordsRead;
    shuffleBytesRead += other.shuffleBytesRead;
    shuffleRecordsWritten += other.shuffleRecordsWritten;
    shuffleBytesWritten += other.shuffleBytesWritten;
    memoryBytesSpilled += other.memoryBytesSpilled;
    diskBytesSpilled += other.diskBytesSpilled;
    resultBytes += other.resultBytes;
    if (other.peakExecutionMemory > peakExecutionMemory) {
      peakExecutionMemory = other.peakExecutionMemory;
    }
  }
};

struct ApplicationStart {
  std::string appId;
  std::string appName;
  std::string master;  // "local[4]", "local-cluster[2,1,1024]", "ember://host:7077"
  int64_t time = 0;
};

struct ApplicationEnd {
  int64_t time = 0;
};

struct ExecutorAdded {
  std::string executorId;  // "driver" in local mode
  std::string host;
  int cores = 0;
  int64_t time = 0;
};

struct ExecutorRemoved {
  std::string executorId;
  std::string reason;
  int64_t time = 0;
};

// One RDD of a stage's lineage, for the UI's DAG drawing (Spark's RDDInfo).
struct RddInfo {
  int rddId = 0;
  std::string name;      // the operation: "map", "reduceByKey", "parallelize"
  std::string callSite;  // "wordcount.cpp:42"
  int numPartitions = 0;
  std::string storageLevel;    // "" when not persisted, else storageLevelName()
  std::vector<int> parentIds;  // parent RDDs; those outside the stage are shuffle inputs
};

// A stage as known when its job starts (Spark's StageInfo), skipped stages included.
struct StageInfo {
  int stageId = 0;
  std::string name;
  int numTasks = 0;
  std::vector<int> parentStageIds;
  std::vector<RddInfo> rdds;  // the stage's RDDs, the stage's own (last) RDD first
};

struct JobStart {
  int jobId = 0;
  std::string description;
  std::string callSite;  // "count at wordcount.cpp:50"
  std::string jobGroup;
  std::vector<int> stageIds;
  int64_t time = 0;
  std::vector<StageInfo> stageInfos;  // one per id in stageIds (empty from older writers)
};

struct JobEnd {
  int jobId = 0;
  bool succeeded = false;
  std::string error;  // empty when succeeded
  int64_t time = 0;
};

struct StageSubmitted {
  int stageId = 0;
  int attempt = 0;
  std::string name;  // "reduceByKey at wordcount.cpp:42"
  int numTasks = 0;
  std::vector<int> parentStageIds;
  std::string details;  // lineage text
  int64_t time = 0;
};

struct StageCompleted {
  int stageId = 0;
  int attempt = 0;
  std::string name;
  int numTasks = 0;
  bool succeeded = false;
  std::string failureReason;  // empty when succeeded
  TaskMetrics totals;
  int64_t time = 0;
};

struct TaskStart {
  int stageId = 0;
  int stageAttempt = 0;
  int64_t taskId = 0;
  int partition = 0;
  int attempt = 0;
  std::string executorId;
  int64_t time = 0;
};

struct TaskEnd {
  int stageId = 0;
  int stageAttempt = 0;
  int64_t taskId = 0;
  int partition = 0;
  int attempt = 0;
  std::string executorId;
  bool succeeded = false;
  // "Success", "ExceptionFailure: ...", "FetchFailed: ...", "TaskKilled: ..."
  std::string reason;
  TaskMetrics metrics;
  int64_t time = 0;
};

// SQL executions, posted by the SQL engine around the jobs of one query (Spark's
// SparkListenerSQLExecutionStart/End). The physical plan is a graph of operator nodes.
struct SqlPlanNode {
  int id = 0;
  std::string name;    // "HashAggregate", "Filter", "Scan parquet"
  std::string detail;  // the operator's arguments, one line
};

struct SqlPlanEdge {
  int fromId = 0;  // child operator (produces rows)
  int toId = 0;    // parent operator (consumes them)
};

struct SqlExecutionStart {
  int64_t executionId = 0;
  std::string description;  // the query text or DataFrame call site
  std::vector<SqlPlanNode> nodes;
  std::vector<SqlPlanEdge> edges;
  int64_t time = 0;
};

// Metrics of one operator of an execution's plan, summed over its tasks.
struct SqlNodeMetrics {
  int nodeId = 0;
  int64_t rows = 0;
  int64_t timeNs = 0;
  int64_t peakMemoryBytes = 0;
  int64_t spillBytes = 0;
};

struct SqlExecutionEnd {
  int64_t executionId = 0;
  bool succeeded = true;
  std::string error;  // empty when succeeded
  std::vector<SqlNodeMetrics> metrics;
  int64_t time = 0;
};

// Any one event, as queued by the bus or replayed from an event log.
using SchedulerEvent =
    std::variant<ApplicationStart, ApplicationEnd, ExecutorAdded, ExecutorRemoved, JobStart, JobEnd,
                 StageSubmitted, StageCompleted, TaskStart, TaskEnd, SqlExecutionStart,
                 SqlExecutionEnd>;

// Receives events; override the callbacks of interest (SparkListener style). The bus
// calls a listener from its single dispatcher thread, one event at a time, in posting
// order; a callback should be quick, since it delays every listener after it. An
// exception thrown by a callback is logged and the event is skipped for that listener.
//
// The bus hands events over in batches through onEvents(); its default calls the
// callback of each event (deliverEvents()). A listener overrides it to pay a per-event
// cost once per batch (a lock); it must then keep the contract above (every event, in
// order; one event's exception skips that event only), e.g. by calling deliverEvents()
// with its lock held.
class EventListener {
 public:
  virtual ~EventListener() = default;
  virtual void onEvents(std::span<const SchedulerEvent> events);
  virtual void onApplicationStart(const ApplicationStart&) {}
  virtual void onApplicationEnd(const ApplicationEnd&) {}
  virtual void onExecutorAdded(const ExecutorAdded&) {}
  virtual void onExecutorRemoved(const ExecutorRemoved&) {}
  virtual void onJobStart(const JobStart&) {}
  virtual void onJobEnd(const JobEnd&) {}
  virtual void onStageSubmitted(const StageSubmitted&) {}
  virtual void onStageCompleted(const StageCompleted&) {}
  virtual void onTaskStart(const TaskStart&) {}
  virtual void onTaskEnd(const TaskEnd&) {}
  virtual void onSqlExecutionStart(const SqlExecutionStart&) {}
  virtual void onSqlExecutionEnd(const SqlExecutionEnd&) {}
};

// Calls the listener's callback that matches the event's type.
void deliverEvent(EventListener& listener, const SchedulerEvent& event);
// deliverEvent() for each event in order; an exception is logged (naming the listener and
// the event's type) and delivery goes on with the next event. Never throws.
void deliverEvents(EventListener& listener, std::span<const SchedulerEvent> events);

}  // namespace ember
