// FieldReader: strict reading of a request body's object; every member never read is unknown.
#include "json/field_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json/parse.hpp>

namespace uudai::gateway {
namespace {

std::vector<std::string> Paths(const std::vector<FieldError>& errors) {
  std::vector<std::string> paths;
  for (const FieldError& e : errors) paths.push_back(e.path);
  return paths;
}

TEST(FieldReaderTest, MembersNeverReadAreUnknownWithTheirPath) {
  const auto body = boost::json::parse(R"({"a":1,"typo":2,"b":"x","c":null})").as_object();
  BodyProblems problems;
  FieldReader r(body, "limits", problems);

  EXPECT_EQ(r.Integer("a", 0, 9), 1);
  EXPECT_EQ(r.String("b"), "x");
  EXPECT_FALSE(r.Has("c"));  // null is absent, but the member was read
  EXPECT_FALSE(r.Has("missing"));
  r.Finish();

  EXPECT_EQ(Paths(problems.unknown), std::vector<std::string>{"limits.typo"});
  EXPECT_TRUE(problems.invalid.empty());
}

TEST(FieldReaderTest, AllowMarksAMemberAsKnownWithoutReadingIt) {
  const auto body = boost::json::parse(R"({"id":"o-1","name":"n"})").as_object();
  BodyProblems problems;
  FieldReader r(body, "", problems);

  r.Allow("id");
  EXPECT_EQ(r.String("name"), "n");
  r.Finish();

  EXPECT_TRUE(problems.empty());
}

// Past 64 members the read marks leave the mask for a vector: a known field there is known,
// an unknown one there is reported, and the first 64 still count.
TEST(FieldReaderTest, ObjectsOfMoreThan64MembersAreCheckedMemberByMember) {
  boost::json::object body;
  for (int i = 0; i < 70; ++i) body["f" + std::to_string(i)] = i;
  BodyProblems problems;
  FieldReader r(body, "", problems);

  for (int i = 0; i < 70; ++i) {
    if (i == 3 || i == 64 || i == 69) continue;  // left unread
    EXPECT_EQ(r.Integer("f" + std::to_string(i), 0, 99), i);
  }
  r.Finish();

  EXPECT_EQ(Paths(problems.unknown), (std::vector<std::string>{"f3", "f64", "f69"}));
}

TEST(FieldReaderTest, TypeAndRangeProblemsNameTheirField) {
  const auto body =
      boost::json::parse(R"({"n":1.5,"amount":-1,"flag":"yes","list":["a",2]})").as_object();
  BodyProblems problems;
  FieldReader r(body, "items[2]", problems);

  EXPECT_FALSE(r.Integer("n", 0, 9));
  EXPECT_FALSE(r.Amount("amount"));
  EXPECT_FALSE(r.Bool("flag"));
  EXPECT_FALSE(r.StringList("list", 5));
  EXPECT_FALSE(r.String("required", true));
  r.Finish();

  EXPECT_EQ(Paths(problems.invalid),
            (std::vector<std::string>{"items[2].n", "items[2].amount", "items[2].flag",
                                      "items[2].list[1]", "items[2].required"}));
  EXPECT_TRUE(problems.unknown.empty());
}

}  // namespace
}  // namespace uudai::gateway
