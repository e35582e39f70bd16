// A doubly linked list threaded through its elements: O(1) push, pop and
// erase from the middle, no allocation. The pool uses it for the idle queue,
// the waiters, per-backend task queues and the workers' ready ring, which
// must all be cheap to edit under the pool's lock.
#pragma once

#include <cassert>
#include <cstddef>

namespace cueball::detail {

template <class T>
struct ListLink {
    T* prev = nullptr;
    T* next = nullptr;
};

// An element may be in at most one list per ListLink member at a time.
template <class T, ListLink<T> T::*Link>
class IntrusiveList {
public:
    IntrusiveList() = default;
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const { return head_ == nullptr; }
    std::size_t size() const { return size_; }
    T* front() const { return head_; }
    static T* next(const T* t) { return (t->*Link).next; }

    void push_back(T* t) {
        ListLink<T>& l = t->*Link;
        assert(l.prev == nullptr && l.next == nullptr && head_ != t);
        l.prev = tail_;
        l.next = nullptr;
        if (tail_ != nullptr) {
            (tail_->*Link).next = t;
        } else {
            head_ = t;
        }
        tail_ = t;
        ++size_;
    }

    void push_front(T* t) {
        ListLink<T>& l = t->*Link;
        assert(l.prev == nullptr && l.next == nullptr && head_ != t);
        l.prev = nullptr;
        l.next = head_;
        if (head_ != nullptr) {
            (head_->*Link).prev = t;
        } else {
            tail_ = t;
        }
        head_ = t;
        ++size_;
    }

    T* pop_front() {
        T* t = head_;
        if (t != nullptr) erase(t);
        return t;
    }

    void erase(T* t) {
        ListLink<T>& l = t->*Link;
        if (l.prev != nullptr) {
            (l.prev->*Link).next = l.next;
        } else {
            head_ = l.next;
        }
        if (l.next != nullptr) {
            (l.next->*Link).prev = l.prev;
        } else {
            tail_ = l.prev;
        }
        l.prev = l.next = nullptr;
        --size_;
    }

private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace cueball::detail
