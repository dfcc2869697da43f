// DataFrames and SQL over a CSV file: read with schema inference, filter, aggregate,
// query with SQL, explain, and write Parquet.
//   build/examples/dataframe [--master local[2]] [people.csv] [output dir]
#include <iostream>

#include "ember/ember.h"
#include "ember/sql/column.h"
#include "ember/sql/reader.h"
#include "ember/sql/session.h"
#include "ember/sql/writer.h"

using namespace ember::sql::functions;

int main(int argc, char** argv) {
  auto ctx = ember::Context::fromArgs(argc, argv, "[people.csv] [output dir]");
  const auto& args = ctx->args();
  std::string input = args.size() > 0 ? args[0] : "data/tables/people.csv";
  ember::sql::Session spark(*ctx);

  auto people = spark.read().option("header", "true").option("inferSchema", "true").csv(input);
  std::cout << people.printSchemaString();
  people.filter("age > 30")
      .groupBy({"city"})
      .agg({as(count(), "people"), as(avg(col("age")), "avg_age")})
      .orderBy({desc(col("people")), asc(col("city"))})
      .show();

  people.createOrReplaceTempView("people");
  auto oldest = spark.sql(
      "SELECT city, name, age FROM people p "
      "WHERE age = (SELECT max(age) FROM people q WHERE q.city = p.city) ORDER BY city");
  oldest.show();
  std::cout << oldest.explainString("simple");

  if (args.size() > 1) {
    oldest.write().mode("overwrite").parquet(args[1]);
    std::cout << "wrote " << spark.read().parquet(args[1]).count() << " rows to " << args[1]
              << "\n";
  }
  return 0;
}
