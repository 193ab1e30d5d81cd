//===- BoxTest.cpp - Box algebra ------------------------------------------===//

#include "PET/Support/Box.h"

#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <random>

using namespace mlir::pet;

namespace {

std::string toString(const Box &box) {
  std::string text;
  llvm::raw_string_ostream(text) << box;
  return text;
}

TEST(BoxTest, VolumeExtentsAndEmptiness) {
  Box box({0, 1}, {4, 3});
  EXPECT_EQ(box.getRank(), 2u);
  EXPECT_EQ(box.getVolume(), 8);
  EXPECT_EQ(box.getExtent(0), 4);
  EXPECT_EQ(box.getExtent(1), 2);
  EXPECT_FALSE(box.isEmpty());

  Box flat({2, 0}, {2, 5});
  EXPECT_TRUE(flat.isEmpty());
  EXPECT_EQ(flat.getVolume(), 0);
  Box inverted({3}, {1});
  EXPECT_TRUE(inverted.isEmpty());
  EXPECT_EQ(inverted.getExtent(0), 0);

  Box scalar({}, {});
  EXPECT_FALSE(scalar.isEmpty());
  EXPECT_EQ(scalar.getVolume(), 1);
  EXPECT_EQ(Box::fromShape({2, 3, 4}).getVolume(), 24);
}

TEST(BoxTest, ContainsPointsAndBoxes) {
  Box box({0, 1}, {4, 3});
  EXPECT_TRUE(box.contains(llvm::ArrayRef<int64_t>{0, 1}));
  EXPECT_TRUE(box.contains(llvm::ArrayRef<int64_t>{3, 2}));
  EXPECT_FALSE(box.contains(llvm::ArrayRef<int64_t>{4, 2})); // upper is open
  EXPECT_FALSE(box.contains(llvm::ArrayRef<int64_t>{0, 0}));
  EXPECT_FALSE(box.contains(llvm::ArrayRef<int64_t>{1})); // wrong rank

  EXPECT_TRUE(box.contains(Box({1, 1}, {3, 3})));
  EXPECT_TRUE(box.contains(box));
  EXPECT_FALSE(box.contains(Box({1, 1}, {5, 3})));
  EXPECT_TRUE(box.contains(Box({9, 9}, {9, 10}))); // empty
  EXPECT_FALSE(box.contains(Box({0}, {1})));
}

TEST(BoxTest, Intersect) {
  Box a({0, 0}, {4, 4}), b({2, 3}, {6, 8});
  EXPECT_EQ(a.intersect(b), Box({2, 3}, {4, 4}));
  EXPECT_EQ(b.intersect(a), a.intersect(b));
  EXPECT_TRUE(a.intersects(b));
  Box touching({4, 0}, {6, 4});
  EXPECT_TRUE(a.intersect(touching).isEmpty());
  EXPECT_FALSE(a.intersects(touching));
}

TEST(BoxTest, Split) {
  Box box({0, 2}, {4, 6});
  auto [below, above] = box.split(1, 3);
  EXPECT_EQ(below, Box({0, 2}, {4, 3}));
  EXPECT_EQ(above, Box({0, 3}, {4, 6}));
  EXPECT_EQ(below.getVolume() + above.getVolume(), box.getVolume());

  auto [none, all] = box.split(0, -5);
  EXPECT_TRUE(none.isEmpty());
  EXPECT_EQ(all, box);
  auto [whole, nothing] = box.split(0, 100);
  EXPECT_EQ(whole, box);
  EXPECT_TRUE(nothing.isEmpty());
}

TEST(BoxTest, SubtractInterior) {
  // A 3x3 hole in the middle of a 5x5 box leaves 4 disjoint pieces.
  Box box({0, 0}, {5, 5}), hole({1, 1}, {4, 4});
  llvm::SmallVector<Box> pieces = subtract(box, hole);
  EXPECT_EQ(pieces.size(), 4u);
  EXPECT_EQ(getTotalVolume(pieces), 25 - 9);
  for (const Box &piece : pieces) {
    EXPECT_TRUE(box.contains(piece));
    EXPECT_FALSE(piece.intersects(hole));
  }
}

TEST(BoxTest, SubtractEdgeCases) {
  Box box({0, 0}, {2, 2});
  EXPECT_TRUE(subtract(box, box).empty());
  EXPECT_TRUE(subtract(box, Box({-1, -1}, {3, 3})).empty());
  llvm::SmallVector<Box> disjoint = subtract(box, Box({5, 5}, {6, 6}));
  ASSERT_EQ(disjoint.size(), 1u);
  EXPECT_EQ(disjoint.front(), box);
  EXPECT_TRUE(subtract(Box({1}, {1}), Box({0}, {4})).empty());
}

TEST(BoxTest, TranslateAndOrder) {
  Box box({0, 1}, {2, 3});
  EXPECT_EQ(box.translate({3, -1}), Box({3, 0}, {5, 2}));
  EXPECT_TRUE(Box({0, 0}, {1, 1}) < Box({0, 1}, {1, 2}));
  EXPECT_FALSE(Box({0, 1}, {1, 2}) < Box({0, 0}, {1, 1}));
  EXPECT_TRUE(Box({0, 0}, {1, 1}) < Box({0, 0}, {1, 2}));
}

TEST(BoxTest, Print) {
  EXPECT_EQ(toString(Box({0, 1}, {4, 3})), "[0:4, 1:3]");
  EXPECT_EQ(toString(Box({}, {})), "[]");
  EXPECT_EQ(toString(Box({-2}, {1})), "[-2:1]");
}

TEST(BoxTest, CheckPartition) {
  llvm::SmallVector<Box> rows = {Box({0, 0}, {1, 4}), Box({1, 0}, {4, 4})};
  EXPECT_FALSE(checkPartition({4, 4}, rows).has_value());

  llvm::SmallVector<Box> overlapping = {Box({0, 0}, {2, 4}),
                                        Box({1, 0}, {4, 4})};
  std::optional<std::string> problem = checkPartition({4, 4}, overlapping);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("overlap"), std::string::npos) << *problem;

  llvm::SmallVector<Box> gap = {Box({0, 0}, {1, 4}), Box({2, 0}, {4, 4})};
  problem = checkPartition({4, 4}, gap);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("cover 12 of the tensor's 16"), std::string::npos)
      << *problem;

  llvm::SmallVector<Box> outside = {Box({0, 0}, {5, 4})};
  problem = checkPartition({4, 4}, outside);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("not inside"), std::string::npos) << *problem;

  llvm::SmallVector<Box> empty = {Box({0, 0}, {0, 4}), Box({0, 0}, {4, 4})};
  problem = checkPartition({4, 4}, empty);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("empty"), std::string::npos) << *problem;

  llvm::SmallVector<Box> wrongRank = {Box({0}, {16})};
  problem = checkPartition({4, 4}, wrongRank);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("rank"), std::string::npos) << *problem;

  EXPECT_FALSE(checkPartition({}, {Box({}, {})}).has_value());
  EXPECT_FALSE(checkPartition({0, 3}, {}).has_value());
}

/// The 9 boxes of a padded 3x3 convolution over an 8x8 plane: rows and
/// columns split at 1 and 7.
llvm::SmallVector<Box> convPlanePartition() {
  llvm::SmallVector<Box> boxes;
  int64_t cuts[] = {0, 1, 7, 8};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      boxes.push_back(Box({cuts[i], cuts[j]}, {cuts[i + 1], cuts[j + 1]}));
  return boxes;
}

TEST(BoxTest, RefinePartitions) {
  llvm::SmallVector<Box> conv = convPlanePartition();
  ASSERT_FALSE(checkPartition({8, 8}, conv).has_value());
  // Splitting H into two halves (the seam of a batch-split conv).
  llvm::SmallVector<Box> halves = {Box({0, 0}, {4, 8}), Box({4, 0}, {8, 8})};
  llvm::SmallVector<Box> refined = refinePartitions(conv, halves);
  EXPECT_FALSE(checkPartition({8, 8}, refined).has_value());
  EXPECT_EQ(refined.size(), 12u); // the middle row band is cut in two
  EXPECT_TRUE(std::is_sorted(refined.begin(), refined.end()));
  // Refining with the trivial partition changes nothing but the order.
  llvm::SmallVector<Box> same =
      refinePartitions(conv, {Box::fromShape({8, 8})});
  llvm::SmallVector<Box> sorted = conv;
  llvm::sort(sorted);
  EXPECT_EQ(same, sorted);
}

/// Random boxes inside a small grid, compared against point-by-point sets.
TEST(BoxTest, RandomAlgebraAgreesWithPointSets) {
  std::mt19937 rng(1234);
  auto randomBox = [&](unsigned rank) {
    llvm::SmallVector<int64_t> lo, hi;
    std::uniform_int_distribution<int64_t> coord(-1, 6);
    for (unsigned d = 0; d < rank; ++d) {
      int64_t a = coord(rng), b = coord(rng);
      lo.push_back(std::min(a, b));
      hi.push_back(std::max(a, b) + (rng() % 2));
    }
    return Box(lo, hi);
  };
  for (int trial = 0; trial < 2000; ++trial) {
    unsigned rank = 1 + trial % 3;
    Box a = randomBox(rank), b = randomBox(rank);
    Box both = a.intersect(b);
    llvm::SmallVector<Box> rest = subtract(a, b);
    int64_t countA = 0, countBoth = 0;
    // Enumerate the grid [-1, 8)^rank.
    llvm::SmallVector<int64_t> p(rank, -1);
    while (true) {
      bool inA = a.contains(p), inB = b.contains(p);
      countA += inA;
      countBoth += inA && inB;
      EXPECT_EQ(both.contains(p), inA && inB);
      int covering = 0;
      for (const Box &piece : rest)
        covering += piece.contains(p);
      EXPECT_EQ(covering, (inA && !inB) ? 1 : 0) << "trial " << trial;
      unsigned d = 0;
      while (d < rank && ++p[d] == 8)
        p[d++] = -1;
      if (d == rank)
        break;
    }
    EXPECT_EQ(a.getVolume(), countA) << "trial " << trial;
    EXPECT_EQ(both.getVolume(), countBoth) << "trial " << trial;
    EXPECT_LE(rest.size(), 2 * rank);
  }
}

} // namespace
