#include "ember/sql/logical_plan.h"

#include <atomic>

namespace ember::sql {

int64_t newAttributeId() {
  static std::atomic<int64_t> next{1};
  return next.fetch_add(1);
}

const char* joinTypeName(JoinType t) {
  switch (t) {
    case JoinType::Inner:
      return "Inner";
    case JoinType::LeftOuter:
      return "LeftOuter";
    case JoinType::RightOuter:
      return "RightOuter";
    case JoinType::FullOuter:
      return "FullOuter";
    case JoinType::LeftSemi:
      return "LeftSemi";
    case JoinType::LeftAnti:
      return "LeftAnti";
    case JoinType::Cross:
      return "Cross";
  }
  return "?";
}

namespace {
std::string list(const std::vector<ExprPtr>& es) {
  std::string s;
  for (size_t i = 0; i < es.size(); ++i) {
    if (i) s += ", ";
    s += es[i]->toString();
  }
  return s;
}
std::string joinParts(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "." : "") + parts[i];
  return s;
}
std::string attrs(const std::vector<Attribute>& out) {
  std::string s;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) s += ", ";
    s += out[i].name + "#" + std::to_string(out[i].id);
  }
  return s;
}
}  // namespace

std::string LogicalPlan::nodeString() const {
  switch (kind) {
    case PlanKind::UnresolvedRelation:
      return "'UnresolvedRelation [" + joinParts(name) + "]";
    case PlanKind::FileScan: {
      std::string s = "Relation [" + attrs(output) + "] " + (source ? source->format : "?");
      if (source && !source->paths.empty()) s += " " + source->paths[0];
      return s;
    }
    case PlanKind::LocalRelation:
      return "LocalRelation [" + attrs(output) + "]";
    case PlanKind::OneRow:
      return "OneRowRelation";
    case PlanKind::Range:
      return "Range (" + std::to_string(rangeStart) + ", " + std::to_string(rangeEnd) +
             ", step=" + std::to_string(rangeStep) +
             (rangePartitions > 0 ? ", splits=" + std::to_string(rangePartitions) : "") + ")";
    case PlanKind::Project:
      return "Project [" + list(exprs) + "]";
    case PlanKind::Filter:
      return "Filter " + (exprs.empty() ? "" : exprs[0]->toString());
    case PlanKind::Aggregate:
      return "Aggregate [" + list(groupBy) + "], [" + list(exprs) + "]";
    case PlanKind::Window:
      return "Window [" + list(exprs) + "]";
    case PlanKind::Join: {
      std::string s = std::string("Join ") + joinTypeName(joinType);
      if (!exprs.empty() && exprs[0]) s += ", " + exprs[0]->toString();
      return s;
    }
    case PlanKind::Sort: {
      std::string s = "Sort [";
      for (size_t i = 0; i < order.size(); ++i) {
        if (i) s += ", ";
        s += order[i].expr->toString() + (order[i].ascending ? " ASC" : " DESC") +
             (order[i].nullsFirst ? " NULLS FIRST" : " NULLS LAST");
      }
      return s + "], true";
    }
    case PlanKind::Limit:
      return "GlobalLimit " + std::to_string(limit) +
             (offset ? " OFFSET " + std::to_string(offset) : "");
    case PlanKind::Distinct:
      return "Distinct";
    case PlanKind::SetOp: {
      const char* n = setOp == SetOpKind::Union       ? "Union"
                      : setOp == SetOpKind::Intersect ? "Intersect"
                                                      : "Except";
      return std::string(n) + (all ? " All" : "") + (byName ? " ByName" : "");
    }
    case PlanKind::SubqueryAlias:
      return "SubqueryAlias " + joinParts(name);
    case PlanKind::With: {
      std::string s = "CTE [";
      for (size_t i = 0; i < ctes.size(); ++i) s += (i ? ", " : "") + ctes[i].first;
      return s + "]";
    }
    case PlanKind::Sample:
      return "Sample " + std::to_string(fraction) + ", " + std::to_string(seed);
    case PlanKind::Repartition: {
      std::string keys = !exprs.empty() ? list(exprs) : "";
      for (size_t i = 0; i < order.size(); ++i)
        keys +=
            (i ? ", " : "") + order[i].expr->toString() + (order[i].ascending ? " ASC" : " DESC");
      if (!shuffle) return "Repartition " + std::to_string(numPartitions) + ", false";
      return std::string(order.empty() ? "RepartitionByExpression [" : "RepartitionByRange [") +
             keys + "], " + (numPartitions ? std::to_string(numPartitions) : "default");
    }
    case PlanKind::LocalSort: {
      std::string s = "Sort [";
      for (size_t i = 0; i < order.size(); ++i)
        s += (i ? ", " : "") + order[i].expr->toString() + (order[i].ascending ? " ASC" : " DESC") +
             (order[i].nullsFirst ? " NULLS FIRST" : " NULLS LAST");
      return s + "], false";
    }
    case PlanKind::InMemoryRelation:
      return "InMemoryRelation [" + attrs(output) + "]";
    case PlanKind::Generate:
      return "Generate " + (exprs.empty() ? std::string("?") : exprs[0]->toString()) + ", [" +
             attrs(generatorOutput) + "]";
  }
  return "?";
}

std::string LogicalPlan::treeString() const {
  std::string out;
  struct Walker {
    std::string& out;
    void walk(const LogicalPlan& p, const std::string& prefix, bool root, bool last) {
      out += root ? "" : prefix + "+- ";
      (void)last;
      out += p.nodeString() + "\n";
      std::string childPrefix = root ? "" : prefix + (last ? "   " : ":  ");
      for (const auto& [n, cte] : p.ctes) {
        out += childPrefix + ":- CTE " + n + "\n";
        walk(*cte, childPrefix + ":  ", false, true);
      }
      for (size_t i = 0; i < p.children.size(); ++i) {
        bool lastChild = i + 1 == p.children.size();
        if (!lastChild) {
          out += childPrefix + ":- ";
          std::string sub;
          Walker w{sub};
          w.walk(*p.children[i], childPrefix + ":  ", true, false);
          // re-indent nested lines of a non-last child
          size_t nl = sub.find('\n');
          out += sub.substr(0, nl + 1);
          std::string rest = sub.substr(nl + 1);
          size_t pos = 0;
          while (pos < rest.size()) {
            size_t e = rest.find('\n', pos);
            out += childPrefix + ":  " + rest.substr(pos, e - pos + 1);
            pos = e + 1;
          }
        } else {
          walk(*p.children[i], childPrefix, false, true);
        }
      }
    }
  };
  Walker{out}.walk(*this, "", true, true);
  return out;
}

}  // namespace ember::sql
