// PersistentStringMap: a string-keyed map whose copies share structure, for immutable
// snapshots that change a few keys at a time.
//
// A hash array mapped trie: the key's 64-bit hash picks, five bits per level, a path of branch
// nodes down to a bucket of at most kBucketSize entries. Copying a map copies one pointer;
// Set and Erase then copy only the nodes on the key's path (about log32(n) branches and one
// bucket), so a change costs O(log n), not O(n), and every earlier
// copy is left exactly as it was. A node that only this map holds (use_count 1: made by an
// earlier change to this same copy) is changed in place, so building a map by many Sets does
// not copy its own fresh nodes again.
//
// Values are copied when their bucket is copied: keep them small (pointers, integers).
// A const map may be read from any number of threads; Set and Erase need the map itself to
// be owned by one thread, as with any value type. Iteration order is unspecified.
#ifndef UUDAI_PERSISTENT_STRING_MAP_H_
#define UUDAI_PERSISTENT_STRING_MAP_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uudai {

template <typename V>
class PersistentStringMap {
 public:
  PersistentStringMap() = default;

  // nullptr when absent. Valid for as long as this map (or a copy sharing the bucket) lives.
  const V* Find(std::string_view key) const {
    const std::uint64_t hash = Hash(key);
    const Node* node = root_.get();
    for (unsigned depth = 0; node != nullptr; ++depth) {
      if (node->is_bucket) {
        for (const Entry& entry : node->entries()) {
          if (entry.hash == hash && entry.key == key) return &entry.value;
        }
        return nullptr;
      }
      const std::uint32_t bit = BitAt(hash, depth);
      if ((node->bitmap & bit) == 0) return nullptr;
      node = node->children()[SlotOf(node->bitmap, bit)].get();
    }
    return nullptr;
  }

  // A map of `entries`, built bottom-up in one pass (no path is copied or searched twice):
  // for loading many keys at once. Keys must be distinct.
  static PersistentStringMap FromEntries(std::vector<std::pair<std::string, V>> entries) {
    std::vector<Entry> hashed;
    hashed.reserve(entries.size());
    for (auto& [key, value] : entries) {
      const std::uint64_t hash = Hash(key);
      hashed.push_back(Entry{hash, std::move(key), std::move(value)});
    }
    // Sorted by hash, each node's entries are one contiguous range, split among its children
    // in slot order (BitAt reads the hash from its top bits down).
    std::sort(hashed.begin(), hashed.end(),
              [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
    PersistentStringMap map;
    map.size_ = hashed.size();
    if (!hashed.empty()) map.root_ = BuildRange(hashed, 0, hashed.size(), 0);
    return map;
  }

  // Inserts or replaces.
  void Set(std::string_view key, V value) {
    bool added = false;
    SetIn(root_, 0, Hash(key), key, std::move(value), added);
    if (added) ++size_;
  }

  // The value of `key`, writable (the nodes on its path are made this map's own first: see
  // Writable); nullptr when absent. Valid until this map's next change.
  V* Mutable(std::string_view key) {
    if (Find(key) == nullptr) return nullptr;
    const std::uint64_t hash = Hash(key);
    NodePtr* slot = &root_;
    for (unsigned depth = 0;; ++depth) {
      Node& node = Writable(*slot);
      if (node.is_bucket) {
        for (Entry& entry : node.entries()) {
          if (entry.hash == hash && entry.key == key) return &entry.value;
        }
        return nullptr;  // unreachable: Find saw it
      }
      const std::uint32_t bit = BitAt(hash, depth);
      slot = &node.children()[SlotOf(node.bitmap, bit)];
    }
  }

  // Removes `key`; false when it was absent.
  bool Erase(std::string_view key) {
    if (Find(key) == nullptr) return false;  // erasing an absent key copies nothing
    EraseIn(root_, 0, Hash(key), key);
    --size_;
    return true;
  }

  // The hash the map files `key` under (for callers that sort keys the way the map does).
  static std::uint64_t Hash(std::string_view key) {
    // std::hash of a string is not guaranteed to mix its high bits; a final avalanche step
    // (splitmix64's) spreads every bit of it over all 64, which the trie consumes 5 at a time.
    std::uint64_t x = std::hash<std::string_view>{}(key);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls fn(const std::string& key, const V& value) for every entry.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (root_) ForEachIn(*root_, fn);
  }

 private:
  static constexpr unsigned kBitsPerLevel = 5;
  // Below this depth the hash has no bits left: buckets there grow past kBucketSize (full
  // 64-bit collisions only).
  static constexpr unsigned kMaxDepth = 64 / kBitsPerLevel;
  static constexpr std::size_t kBucketSize = 8;

  struct Entry {
    std::uint64_t hash;
    std::string key;
    V value;
  };
  struct Node;
  using NodePtr = std::shared_ptr<const Node>;

  // A branch (children, one per set bit of bitmap, in bit order) or a bucket (entries), each
  // kept in the same allocation as the node: a lookup reads one block per level, not two.
  // The size is fixed at creation; a change that adds or removes one makes a new node.
  struct Node {
    bool is_bucket = false;
    std::uint32_t bitmap = 0;
    std::uint32_t count = 0;

    std::span<NodePtr> children() { return {Items<NodePtr>(), is_bucket ? 0 : count}; }
    std::span<const NodePtr> children() const {
      return {const_cast<Node*>(this)->template Items<NodePtr>(), is_bucket ? 0 : count};
    }
    std::span<Entry> entries() { return {Items<Entry>(), is_bucket ? count : 0}; }
    std::span<const Entry> entries() const {
      return {const_cast<Node*>(this)->template Items<Entry>(), is_bucket ? count : 0};
    }

    template <typename T>
    T* Items() {
      return std::launder(reinterpret_cast<T*>(reinterpret_cast<std::byte*>(this) + kItemsAt));
    }
  };
  static constexpr std::size_t kItemAlign = std::max(alignof(Entry), alignof(NodePtr));
  static constexpr std::size_t kItemsAt = (sizeof(Node) + kItemAlign - 1) / kItemAlign * kItemAlign;
  static constexpr std::size_t kNodeAlign = std::max(alignof(Node), kItemAlign);

  // A node of `count` items, each made by make(T* at, index) (placement new of a T at `at`).
  template <typename T, typename Make>
  static std::shared_ptr<Node> NewNode(bool is_bucket, std::uint32_t bitmap, std::size_t count,
                                       Make&& make) {
    void* raw = ::operator new (kItemsAt + count * sizeof(T), std::align_val_t{kNodeAlign});
    Node* node = new (raw) Node{is_bucket, bitmap, static_cast<std::uint32_t>(count)};
    T* items = node->template Items<T>();
    std::size_t made = 0;
    try {
      for (; made < count; ++made) make(items + made, made);
      return std::shared_ptr<Node>(node, [](Node* n) { Destroy<T>(n); });
    } catch (...) {
      node->count = static_cast<std::uint32_t>(made);
      Destroy<T>(node);
      throw;
    }
  }
  template <typename T>
  static void Destroy(Node* node) {
    std::destroy_n(node->template Items<T>(), node->count);
    node->~Node();
    ::operator delete (node, std::align_val_t{kNodeAlign});
  }

  // A copy of `node`, or `node` itself with its items moved out when `steal` (only this map
  // holds it); `skip`: an index of `node`'s items left out; `insert_at`: where one more item is
  // made by add(T* at) (an index of the new node; none when past its end).
  template <typename T, typename Add>
  static std::shared_ptr<Node> Resized(const Node& node, bool steal, std::size_t skip,
                                       std::size_t insert_at, std::size_t count, Add&& add) {
    T* from = const_cast<Node&>(node).template Items<T>();
    return NewNode<T>(node.is_bucket, node.bitmap, count, [&](T* at, std::size_t i) {
      if (i == insert_at) return add(at);
      std::size_t source = i > insert_at ? i - 1 : i;
      if (source >= skip) ++source;
      if (steal) {
        new (at) T(std::move(from[source]));
      } else {
        new (at) T(from[source]);
      }
    });
  }
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  static std::uint32_t BitAt(std::uint64_t hash, unsigned depth) {
    return std::uint32_t{1} << ((hash >> (64 - kBitsPerLevel * (depth + 1))) & 31u);
  }
  static std::size_t SlotOf(std::uint32_t bitmap, std::uint32_t bit) {
    return static_cast<std::size_t>(std::popcount(bitmap & (bit - 1)));
  }

  // Whether `slot` is its node's only holder: then the node is this map's alone, to change in
  // place or take apart (copy on write for structure-sharing snapshots). A count of 1 is ours
  // alone: no other holder can appear meanwhile, since none can reach the node; the acquire
  // fence orders our writes after the releases of holders that dropped it, as
  // std::shared_ptr's own destruction would.
  static bool OnlyHolder(const NodePtr& slot) {
    if (slot.use_count() != 1) return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    return true;
  }

  // The node behind `slot`, made this map's own: itself when OnlyHolder, else a copy put in
  // the slot.
  static Node& Writable(NodePtr& slot) {
    if (OnlyHolder(slot)) return const_cast<Node&>(*slot);
    std::shared_ptr<Node> copy =
        slot->is_bucket
            ? Resized<Entry>(*slot, false, kNone, kNone, slot->count, [](Entry*) {})
            : Resized<NodePtr>(*slot, false, kNone, kNone, slot->count, [](NodePtr*) {});
    Node& node = *copy;
    slot = std::move(copy);
    return node;
  }

  static NodePtr NewBucket(std::uint64_t hash, std::string_view key, V&& value) {
    return NewNode<Entry>(true, 0, 1, [&](Entry* at, std::size_t) {
      new (at) Entry{hash, std::string(key), std::move(value)};
    });
  }

  static void SetIn(NodePtr& slot, unsigned depth, std::uint64_t hash, std::string_view key,
                    V&& value, bool& added) {
    if (!slot) {
      slot = NewBucket(hash, key, std::move(value));
      added = true;
      return;
    }
    if (slot->is_bucket) {
      const auto entries = slot->entries();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].hash == hash && entries[i].key == key) {
          Writable(slot).entries()[i].value = std::move(value);
          return;
        }
      }
      added = true;
      if (entries.size() < kBucketSize || depth >= kMaxDepth) {
        const bool steal = OnlyHolder(slot);
        slot =
            Resized<Entry>(*slot, steal, kNone, entries.size(), entries.size() + 1, [&](Entry* at) {
              new (at) Entry{hash, std::string(key), std::move(value)};
            });
        return;
      }
      // A full bucket becomes a branch over the next five bits of its entries' hashes.
      NodePtr branch_slot = NewNode<NodePtr>(false, 0, 0, [](NodePtr*, std::size_t) {});
      for (const Entry& entry : entries) {
        bool unused = false;
        V copy = entry.value;
        SetIn(branch_slot, depth, entry.hash, entry.key, std::move(copy), unused);
      }
      bool unused = false;
      SetIn(branch_slot, depth, hash, key, std::move(value), unused);
      slot = std::move(branch_slot);
      return;
    }
    const std::uint32_t bit = BitAt(hash, depth);
    const std::size_t at = SlotOf(slot->bitmap, bit);
    if ((slot->bitmap & bit) == 0) {
      const bool steal = OnlyHolder(slot);
      std::shared_ptr<Node> grown = Resized<NodePtr>(*slot, steal, kNone, at, slot->count + 1,
                                                     [](NodePtr* p) { new (p) NodePtr(); });
      grown->bitmap |= bit;
      slot = std::move(grown);
    }
    SetIn(Writable(slot).children()[at], depth + 1, hash, key, std::move(value), added);
  }

  // REQUIRES: `key` is in the subtree behind `slot`.
  static void EraseIn(NodePtr& slot, unsigned depth, std::uint64_t hash, std::string_view key) {
    if (slot->is_bucket) {
      if (slot->count == 1) {
        slot.reset();
        return;
      }
      const auto entries = slot->entries();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].hash == hash && entries[i].key == key) {
          const bool steal = OnlyHolder(slot);
          slot = Resized<Entry>(*slot, steal, i, kNone, entries.size() - 1, [](Entry*) {});
          return;
        }
      }
      return;
    }
    const std::uint32_t bit = BitAt(hash, depth);
    const std::size_t at = SlotOf(slot->bitmap, bit);
    Node& branch = Writable(slot);
    EraseIn(branch.children()[at], depth + 1, hash, key);
    if (branch.children()[at]) return;
    if (branch.count == 1) {
      slot.reset();
      return;
    }
    std::shared_ptr<Node> shrunk =
        Resized<NodePtr>(branch, true, at, kNone, branch.count - 1, [](NodePtr*) {});
    shrunk->bitmap &= ~bit;
    slot = std::move(shrunk);
  }

  static NodePtr BuildRange(std::vector<Entry>& sorted, std::size_t begin, std::size_t end,
                            unsigned depth) {
    if (end - begin <= kBucketSize || depth >= kMaxDepth) {
      return NewNode<Entry>(true, 0, end - begin, [&](Entry* at, std::size_t i) {
        new (at) Entry(std::move(sorted[begin + i]));
      });
    }
    std::uint32_t bitmap = 0;
    std::vector<std::size_t> starts;  // where each child's range begins, then `end`
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint32_t bit = BitAt(sorted[i].hash, depth);
      if ((bitmap & bit) == 0) starts.push_back(i);
      bitmap |= bit;
    }
    starts.push_back(end);
    return NewNode<NodePtr>(false, bitmap, starts.size() - 1, [&](NodePtr* at, std::size_t i) {
      new (at) NodePtr(BuildRange(sorted, starts[i], starts[i + 1], depth + 1));
    });
  }

  template <typename Fn>
  static void ForEachIn(const Node& node, Fn& fn) {
    for (const Entry& entry : node.entries()) fn(entry.key, entry.value);
    for (const NodePtr& child : node.children()) ForEachIn(*child, fn);
  }

  NodePtr root_;
  std::size_t size_ = 0;
};

}  // namespace uudai

#endif  // UUDAI_PERSISTENT_STRING_MAP_H_
