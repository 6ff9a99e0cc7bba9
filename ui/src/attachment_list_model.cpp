#include "attachment_list_model.hpp"

#include <QUrl>
#include <algorithm>

#include "model_description.hpp"

namespace prism::ui {

QString kind_name(AttachmentKind kind) {
    switch (kind) {
        case AttachmentKind::audio:
            return QStringLiteral("audio");
        case AttachmentKind::video:
            return QStringLiteral("video");
        case AttachmentKind::image:
            break;
    }
    return QStringLiteral("image");
}

int AttachmentListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant AttachmentListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const ImageAttachment& a = items_.at(index.row());
    switch (role) {
        case IdRole:
            return a.id;
        case Qt::DisplayRole:
        case NameRole:
            return a.name;
        case SourceRole:
            return a.kind == AttachmentKind::audio || a.id.isEmpty()
                       ? QString()
                       : QStringLiteral("image://attachments/%1").arg(a.id);
        case DetailRole:
            if (a.kind == AttachmentKind::audio) return format_media_duration(a.duration_seconds);
            if (a.kind == AttachmentKind::video)
                return QStringLiteral("%1 × %2, %3")
                    .arg(a.size.width())
                    .arg(a.size.height())
                    .arg(format_media_duration(a.duration_seconds));
            return QStringLiteral("%1 × %2, %3")
                .arg(a.size.width())
                .arg(a.size.height())
                .arg(format_bytes(a.bytes.size()));
        case KindRole:
            return kind_name(a.kind);
        case DurationRole:
            return a.kind == AttachmentKind::image ? QString()
                                                   : format_media_duration(a.duration_seconds);
        case FileUrlRole:
            return QUrl::fromLocalFile(a.path);
        case ImportingRole:
            return a.importing;
        default:
            return {};
    }
}

QHash<int, QByteArray> AttachmentListModel::roleNames() const {
    return {{IdRole, "attachmentId"}, {NameRole, "name"},          {SourceRole, "source"},
            {DetailRole, "detail"},   {KindRole, "kind"},          {DurationRole, "duration"},
            {FileUrlRole, "fileUrl"}, {ImportingRole, "importing"}};
}

void AttachmentListModel::append(const ImageAttachment& attachment) {
    const int row = count();
    beginInsertRows({}, row, row);
    items_.append(attachment);
    endInsertRows();
    emit countChanged();
    if (attachment.importing) emit importingChanged();
}

void AttachmentListModel::remove(int row) {
    if (row < 0 || row >= count()) return;
    const bool was_importing = importing();
    beginRemoveRows({}, row, row);
    const ImageAttachment gone = items_.takeAt(row);
    endRemoveRows();
    emit countChanged();
    if (was_importing != importing()) emit importingChanged();
    if (gone.stored && gone.stored->newly_stored)
        emit storedCopyDropped(gone.stored->relative_path);
}

QList<ImageAttachment> AttachmentListModel::take_all() {
    if (items_.isEmpty()) return {};
    beginResetModel();
    const bool was_importing = importing();
    QList<ImageAttachment> out = std::move(items_);
    items_.clear();
    endResetModel();
    emit countChanged();
    if (was_importing) emit importingChanged();
    return out;
}

bool AttachmentListModel::contains(AttachmentKind kind) const {
    return std::any_of(items_.begin(), items_.end(),
                       [kind](const ImageAttachment& a) { return a.kind == kind; });
}

bool AttachmentListModel::importing() const {
    return std::any_of(items_.begin(), items_.end(),
                       [](const ImageAttachment& a) { return a.importing; });
}

QString AttachmentListModel::first_importing() const {
    for (const ImageAttachment& a : items_)
        if (a.importing) return a.name;
    return {};
}

bool AttachmentListModel::finish_import(const QString& id, const ImportedImage& stored) {
    for (int row = 0; row < count(); ++row) {
        ImageAttachment& a = items_[row];
        if (a.id != id || !a.importing) continue;
        a.importing = false;
        a.stored = stored;
        emit dataChanged(index(row), index(row), {ImportingRole});
        if (!importing()) emit importingChanged();
        return true;
    }
    return false;
}

}  // namespace prism::ui
