#include "conversation_deletion.hpp"

#include <utility>

#include "chat_controller.hpp"
#include "data/conversation_store.hpp"

namespace prism::ui {

ConversationDeletion::ConversationDeletion(ConversationStore* history, ChatController* chat,
                                           int undo_ms, QObject* parent)
    : QObject(parent), history_(history), chat_(chat), undo_ms_(undo_ms) {
    timer_.setSingleShot(true);
    connect(&timer_, &QTimer::timeout, this, &ConversationDeletion::commit);
}

ConversationDeletion::~ConversationDeletion() {
    commit();
}

bool ConversationDeletion::remove(qint64 id) {
    if (!history_ || !history_->isReady()) return false;
    const auto summary = history_->conversation(id);
    if (!summary) return false;
    const bool shown = chat_ && chat_->conversationId() == id;
    if (shown) chat_->newChat();
    if (!history_->markConversationDeleted(id)) return false;
    pending_.append(id);
    titles_.append(summary->title);
    if (shown) shown_ = id;
    timer_.start(undo_ms_);
    emit pendingChanged();
    return true;
}

bool ConversationDeletion::undo() {
    if (pending_.isEmpty() || !history_) return false;
    timer_.stop();
    const QList<qint64> ids = std::exchange(pending_, {});
    titles_.clear();
    const qint64 shown = std::exchange(shown_, -1);
    bool all = true;
    for (const qint64 id : ids) all = history_->restoreConversation(id) && all;
    // Back on screen, unless the user has begun something else meanwhile.
    if (shown >= 0 && chat_ && chat_->conversationId() < 0 && chat_->messages()->count() == 0 &&
        !chat_->generating())
        chat_->openConversation(shown);
    emit pendingChanged();
    return all;
}

void ConversationDeletion::commit() {
    if (pending_.isEmpty()) return;
    timer_.stop();
    const QList<qint64> ids = std::exchange(pending_, {});
    titles_.clear();
    shown_ = -1;
    if (history_ && history_->isReady())
        for (const qint64 id : ids) history_->purgeConversation(id);
    emit pendingChanged();
}

}  // namespace prism::ui
